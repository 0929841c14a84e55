/**
 * The edge: streams the generated population to `<out>/<entity>.csv` and the ground truth to
 * `<out>/truth/`, with bounded memory. Members are simulated in fixed chunks, in this thread or
 * in worker threads; the chunks are written strictly in member order, so the bytes are the same
 * whatever the thread count. Only a few chunks are in flight at once and a stream that reports
 * back-pressure is awaited before another chunk is asked for. Each file's SHA-256 is computed
 * from the same bytes as they are written, so the manifest costs no second read.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { typescriptWorker } from '../lib/typescript-worker.ts';
import { ENTITY_NAMES } from '../../data-contracts/v1/index.ts';
import { csvHeader } from './csv.ts';
import type { CaseMixTally } from './member-simulation.ts';
import { GENERATOR_VERSION, GeneratorOptionsError, PopulationGenerator, type PopulationOptions } from './population.ts';
import { FILE_INDEX, OutputTotals, RowBuffers, TRUTH_FILES, TRUTH_HEADERS, type ChunkOutput, type DefectClass } from './rows.ts';

/** What a run produced (also written to truth/manifest.json). */
export interface PopulationManifest {
  generator_version: string;
  seed: number;
  members: number;
  defect_rate: number;
  start_year: number;
  end_year: number;
  /** Data rows per file (headers excluded), keyed by path relative to the output folder. */
  row_counts: Record<string, number>;
  defect_counts: Record<DefectClass, number>;
  /** HbA1c rows reported in mmol/mol with the right unit: valid, the loader must convert them. */
  hba1c_mmol_per_mol_rows: number;
  sha256: Record<string, string>;
}

export interface GenerationSummary {
  manifest: PopulationManifest;
  elapsedMs: number;
  totalRows: number;
}

/**
 * Members per chunk. Fixed, never derived from the thread count: the case-mix tallies are summed
 * per chunk, so the chunk boundaries must not move between runs of the same seed.
 */
const CHUNK_MEMBERS = 1000;
/** Chunks each worker may have queued or in hand: enough to keep it busy while the writer writes. */
const CHUNKS_PER_WORKER = 4;
/** Chunks in flight at most (~4.5 MB each), whatever the thread count, to bound memory. */
const MAX_CHUNKS_IN_FLIGHT = 32;

/**
 * Threads for a command-line run: the cores available, at most 4. Each worker holds its own V8
 * heap (~125 MB at peak), so four keep a run well under the 1 GiB of Stratum issue 2.
 */
export const DEFAULT_THREADS = Math.min(availableParallelism(), 4);

/** How to run the generation (none of it changes the output bytes). */
export interface WriteOptions {
  /** Called with the number of members written after each chunk. */
  onProgress?: (membersDone: number) => void;
  /** Threads simulating members: 1 simulates in this thread; more start that many workers. */
  threads?: number;
}

/** A chunk of members asked of a worker. */
export interface ChunkRequest {
  index: number;
  from: number;
  to: number;
}

/** A worker's answer: the chunk's bytes and counters, and its case-mix tallies. */
export interface ChunkReply {
  index: number;
  output: ChunkOutput;
  tallies: CaseMixTally[];
}

/** Thrown when a worker thread fails; the run stops and its files are incomplete. */
export class GeneratorWorkerError extends Error {
  readonly code = 'GENERATOR_WORKER';
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorWorkerError';
  }
}

/** Where chunks come from: this thread, or a pool of workers. */
interface ChunkSource {
  request(chunk: ChunkRequest): Promise<ChunkReply>;
  close(): Promise<void>;
}

function inThreadSource(generator: PopulationGenerator): ChunkSource {
  const buffers = new RowBuffers();
  return {
    request(chunk) {
      const tallies = generator.simulateChunk(chunk.from, chunk.to, buffers);
      return Promise.resolve({ index: chunk.index, output: buffers.takeChunk(), tallies });
    },
    close: () => Promise.resolve(),
  };
}

function workerSource(options: PopulationOptions, threads: number): ChunkSource {
  const pending = new Map<number, { resolve: (r: ChunkReply) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const workers = Array.from({ length: threads }, (_, i) => {
    const worker = typescriptWorker(new URL('./population-worker.ts', import.meta.url), { workerData: { options } });
    worker.on('message', (reply: ChunkReply) => {
      const p = pending.get(reply.index);
      pending.delete(reply.index);
      p?.resolve(reply);
    });
    worker.on('error', (e) => fail(new GeneratorWorkerError(`generator worker ${i + 1} failed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (pending.size) fail(new GeneratorWorkerError(`generator worker ${i + 1} exited (code ${code}) with chunks outstanding`));
    });
    return worker;
  });
  return {
    request(chunk) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        pending.set(chunk.index, { resolve, reject });
        workers[chunk.index % threads]!.postMessage(chunk);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Relative path of each buffer's file. */
function relativePaths(): string[] {
  return [...ENTITY_NAMES.map((e) => `${e}.csv`), ...TRUTH_FILES.map((t) => `truth/${t}.csv`)];
}

class HashedFile {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');

  constructor(file: string) {
    this.stream = createWriteStream(file, { highWaterMark: 1 << 22 });
  }

  /** Write bytes; resolves at once unless the stream asks the producer to wait. */
  write(bytes: Uint8Array): Promise<void> | null {
    if (!bytes.length) return null;
    this.hash.update(bytes);
    if (this.stream.write(bytes)) return null;
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.stream.once('error', onError);
      this.stream.once('drain', () => {
        this.stream.off('error', onError);
        resolve();
      });
    });
  }

  /** Abandon the file (after a failed run): release the handle without waiting for the data. */
  destroy(): void {
    this.stream.destroy();
  }

  close(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve(this.hash.digest('hex')));
    });
  }
}

/**
 * Generate the population into `outDir`. `run` sets the thread count and a progress callback
 * (or is the callback itself); the bytes depend on `options` alone.
 */
export async function writePopulation(options: PopulationOptions, outDir: string, run: WriteOptions | ((membersDone: number) => void) = {}): Promise<GenerationSummary> {
  const { onProgress, threads = 1 } = typeof run === 'function' ? { onProgress: run } : run;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new GeneratorOptionsError(`threads must be a whole number from 1 to 64, got ${threads}`);
  const started = performance.now();
  const generator = new PopulationGenerator(options);
  await mkdir(path.join(outDir, 'truth'), { recursive: true });
  const paths = relativePaths();
  const files = paths.map((p) => new HashedFile(path.join(outDir, p)));
  const totals = new OutputTotals();
  const write = async (output: ChunkOutput) => {
    totals.add(output);
    const waits: Promise<void>[] = [];
    output.files.forEach((bytes, f) => {
      const w = files[f]!.write(bytes);
      if (w) waits.push(w);
    });
    if (waits.length) await Promise.all(waits);
  };

  const reference = new RowBuffers();
  ENTITY_NAMES.forEach((e) => reference.add(FILE_INDEX[e], csvHeader(e), 0));
  TRUTH_FILES.forEach((t) => reference.add(FILE_INDEX[t], TRUTH_HEADERS[t], 0));
  generator.writeReference(reference);
  await write(reference.takeChunk());

  const chunkCount = Math.ceil(options.members / CHUNK_MEMBERS);
  const chunk = (index: number): ChunkRequest => ({ index, from: index * CHUNK_MEMBERS + 1, to: Math.min(options.members, (index + 1) * CHUNK_MEMBERS) });
  const source = threads === 1 ? inThreadSource(generator) : workerSource(options, threads);
  const inFlight: Promise<ChunkReply>[] = [];
  try {
    const window = threads === 1 ? 1 : Math.min(threads * CHUNKS_PER_WORKER, MAX_CHUNKS_IN_FLIGHT);
    let next = 0;
    while (next < chunkCount && inFlight.length < window) inFlight.push(source.request(chunk(next++)));
    while (inFlight.length) {
      const reply = await inFlight.shift()!;
      // Ask for the next chunk before writing this one, so simulation overlaps the writes.
      if (next < chunkCount) inFlight.push(source.request(chunk(next++)));
      generator.addCaseMix(reply.tallies);
      await write(reply.output);
      onProgress?.(chunk(reply.index).to);
    }
  } catch (e) {
    for (const f of files) f.destroy();
    throw e;
  } finally {
    // A failed run leaves requests behind; settle them so none rejects unobserved.
    for (const p of inFlight) p.catch(() => undefined);
    await source.close();
  }
  const sha256: Record<string, string> = {};
  const digests = await Promise.all(files.map((f) => f.close()));
  paths.forEach((p, i) => (sha256[p] = digests[i]!));

  const institutionsJson = JSON.stringify({ description: 'True institution quality effects on the log-odds of control and case mix', institutions: generator.institutionTruth() }, null, 2) + '\n';
  await writeFile(path.join(outDir, 'truth', 'institutions.json'), institutionsJson);
  sha256['truth/institutions.json'] = createHash('sha256').update(institutionsJson).digest('hex');

  const rowCounts: Record<string, number> = {};
  paths.forEach((p, i) => (rowCounts[p] = totals.rows[i]!));
  const manifest: PopulationManifest = {
    generator_version: GENERATOR_VERSION,
    seed: options.seed,
    members: options.members,
    defect_rate: options.defectRate,
    start_year: options.startYear,
    end_year: options.endYear,
    row_counts: rowCounts,
    defect_counts: { ...totals.defects },
    hba1c_mmol_per_mol_rows: totals.hba1cMmolPerMolRows,
    sha256,
  };
  await writeFile(path.join(outDir, 'truth', 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  let totalRows = 0;
  ENTITY_NAMES.forEach((e) => (totalRows += totals.rows[FILE_INDEX[e]]!));
  return { manifest, elapsedMs: performance.now() - started, totalRows };
}
