/**
 * Scoring on worker threads: the event loop reads records and stores scores while the threads
 * parse the record texts, score them and build the rows to store. Parsing and scoring were most of
 * a request's CPU time on the event loop, so there they delayed every other request (a
 * single score's latency under load) and left the second core to the database alone (a batch's
 * throughput). Threads start on first use; each loads the models a request names (by descriptor:
 * artifact folder and checksum) and keeps the last few sets, so a promoted model is picked up
 * without a restart and requests already under way finish on the set they started with.
 */
import type { Worker } from 'node:worker_threads';
import { typescriptWorker } from '../lib/typescript-worker.ts';
import type { Policy } from '../config/policy.ts';
import type { RecordLayout, RecordText } from '../store/members.ts';
import type { ModelSet, ModelSetDescriptor } from './model-set.ts';
import { ModelUnavailableError } from './score-member.ts';
import { eventLoopScorer, type RecordScorer, type ScoreOutcome } from './service.ts';

/** Records per message: big enough that posting costs little, small enough to share a batch between threads. */
const PART_SIZE = 32;
/**
 * Fewer records than this are scored on the event loop: for a single score the hop to a thread
 * and back cost more than it saved (measured: throughput 860-970 -> 590-730 requests/s, p99 no
 * better), while a batch of 2,000 went from 1,800-2,500 to 2,500-3,000 members/s.
 */
const MIN_RECORDS_FOR_THREADS = 8;

export interface ScoringTask {
  id: number;
  /** The model set's key (its descriptor as JSON); the descriptor itself rides along. */
  modelsKey: string;
  models: ModelSetDescriptor;
  layout: RecordLayout;
  asOf: string;
  records: readonly RecordText[];
}

export type ScoringReply = { id: number; outcomes: ScoreOutcome[] } | { id: number; error: string };

interface Pending {
  resolve: (outcomes: ScoreOutcome[]) => void;
  reject: (error: unknown) => void;
  size: number;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Records sent and not answered yet: the next part goes to the least loaded thread. */
  load: number;
}

export class ScoringThreads implements RecordScorer {
  readonly #policy: Policy;
  readonly #size: number;
  readonly #body: URL;
  readonly #inLine: RecordScorer;
  #threads: Thread[] = [];
  #nextId = 1;
  #closed = false;

  /** `body`: the threads' module (tests hand in a stand-in to see a thread die). */
  constructor(policy: Policy, threads: number, body = new URL('./scoring-thread.ts', import.meta.url)) {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError('a scoring pool needs at least one thread');
    this.#policy = policy;
    this.#size = threads;
    this.#body = body;
    this.#inLine = eventLoopScorer(policy);
  }

  async score(layout: RecordLayout, records: readonly RecordText[], asOf: string, models: ModelSet): Promise<ScoreOutcome[]> {
    if (this.#closed) throw new Error('the scoring threads are closed');
    // As scoreMember does, before any work: a missing model is fatal for the whole request.
    if (models.unavailable.size) throw new ModelUnavailableError(Object.fromEntries(models.unavailable));
    if (records.length < MIN_RECORDS_FOR_THREADS) return this.#inLine.score(layout, records, asOf, models);
    if (this.#threads.length === 0) this.#threads = Array.from({ length: this.#size }, () => this.#spawn());
    const modelsKey = models.descriptorKey();
    const descriptor = models.descriptor();
    const parts: Promise<ScoreOutcome[]>[] = [];
    for (let i = 0; i < records.length; i += PART_SIZE) {
      const part = records.slice(i, i + PART_SIZE);
      parts.push(this.#send({ id: this.#nextId++, modelsKey, models: descriptor, layout, asOf, records: part }));
    }
    return (await Promise.all(parts)).flat();
  }

  /** Stop every thread; parts still out are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const threads = this.#threads;
    this.#threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #send(task: ScoringTask): Promise<ScoreOutcome[]> {
    const thread = this.#threads.reduce((a, b) => (b.load < a.load ? b : a));
    return new Promise<ScoreOutcome[]>((resolve, reject) => {
      // A thread with work out keeps the process alive until it answers; an idle one does not.
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(task.id, { resolve, reject, size: task.records.length });
      thread.load += task.records.length;
      thread.worker.postMessage(task);
    });
  }

  #spawn(): Thread {
    const worker = typescriptWorker(this.#body, { workerData: { policy: this.#policy } });
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), load: 0 };
    worker.on('message', (reply: ScoringReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      thread.load -= pending.size;
      if (thread.pending.size === 0) worker.unref();
      if ('outcomes' in reply) pending.resolve(reply.outcomes);
      else pending.reject(new Error(reply.error));
    });
    const fail = (error: Error) => {
      for (const p of thread.pending.values()) p.reject(error);
      thread.pending.clear();
      thread.load = 0;
      // A thread that died is replaced, so one bad part does not take scoring down with it.
      const at = this.#threads.indexOf(thread);
      if (at >= 0 && !this.#closed) this.#threads[at] = this.#spawn();
    };
    worker.on('error', (error) => fail(error));
    worker.on('exit', (code) => fail(new Error(`a scoring thread exited (code ${code})`)));
    return thread;
  }
}
