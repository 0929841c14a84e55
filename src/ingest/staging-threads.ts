/**
 * Worker threads for the loader's per-row work. Reading, validating and encoding rows costs the
 * loader ~3 µs of JavaScript per row, more than PostgreSQL's COPY of the result; on the main
 * thread it was the bottleneck of a load, with one core left half idle. Each staging lane gets a
 * thread of its own, and the main thread only moves finished chunks into the database.
 */
import type { Worker } from 'node:worker_threads';
import { typescriptWorker } from '../lib/typescript-worker.ts';
import { CsvSyntaxError } from './csv.ts';
import { HeaderError } from './decode.ts';
import type { FileScreens, StagingChunk, StagingJob } from './staging-chunks.ts';

/** Chunks a thread may have ready beyond the one being written: enough to keep both sides busy. */
const CHUNKS_AHEAD = 2;

export type ToWorker = { type: 'file'; job: StagingJob; credits: number } | { type: 'credit'; credits: number };
export type FromWorker =
  | { type: 'chunk'; chunk: StagingChunk }
  | { type: 'end'; screens: FileScreens }
  | { type: 'error'; error: SerialisedError };

interface SerialisedError {
  name: string;
  message: string;
  file?: string;
  missing?: string[];
  unknown?: string[];
  line?: number;
}

/** An error as it crosses from the worker: the loader's own error classes keep their class. */
export function serialiseError(error: unknown): SerialisedError {
  if (error instanceof HeaderError) return { name: error.name, message: error.message, file: error.file, missing: error.missing, unknown: error.unknown };
  if (error instanceof CsvSyntaxError) return { name: error.name, message: error.message.replace(/^line \d+: /, ''), line: error.line };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function reviveError(e: SerialisedError): Error {
  if (e.name === 'HeaderError' && e.file !== undefined) return new HeaderError(e.file, e.missing ?? [], e.unknown ?? []);
  if (e.name === 'CsvSyntaxError' && e.line !== undefined) return new CsvSyntaxError(e.line, e.message);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/** A worker thread that stages files one at a time. */
export class StagingThread {
  readonly #worker: Worker;
  #inbox: FromWorker[] = [];
  #waiting: ((message: FromWorker) => void) | null = null;
  #failure: Error | null = null;

  constructor() {
    this.#worker = typescriptWorker(new URL('./stage-worker.ts', import.meta.url));
    this.#worker.on('message', (message: FromWorker) => this.#deliver(message));
    this.#worker.on('error', (error) => this.#fail(new Error(`staging thread failed: ${error.message}`)));
    this.#worker.on('exit', (code) => this.#fail(new Error(`staging thread exited (code ${code})`)));
  }

  /** The file's chunks, as `stagingChunks` would yield them in this thread. One file at a time. */
  async *chunks(job: StagingJob): AsyncGenerator<StagingChunk, FileScreens> {
    this.#inbox = [];
    this.#worker.postMessage({ type: 'file', job, credits: CHUNKS_AHEAD } satisfies ToWorker);
    for (;;) {
      const message = await this.#next();
      if (message.type === 'error') throw reviveError(message.error);
      if (message.type === 'end') return message.screens;
      // Taking a chunk frees its place: the thread may prepare another.
      this.#worker.postMessage({ type: 'credit', credits: 1 } satisfies ToWorker);
      yield message.chunk;
    }
  }

  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #next(): Promise<FromWorker> {
    if (this.#failure) return Promise.reject(this.#failure);
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#rejectWaiting = reject;
    });
  }

  #rejectWaiting: ((error: Error) => void) | null = null;

  #deliver(message: FromWorker): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = this.#rejectWaiting = null;
      waiting(message);
    } else this.#inbox.push(message);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const reject = this.#rejectWaiting;
    this.#waiting = this.#rejectWaiting = null;
    reject?.(this.#failure);
  }
}
