/**
 * Shares one statement among concurrent callers: items submitted while the store is busy wait
 * and go together in the next batch, so under load a request costs a fraction of a round trip,
 * a plan and (for writes) a commit, while an idle service runs each item at once. No timer holds
 * an item back: a batch starts as soon as fewer than `maxInFlight` batches run, so nothing waits
 * in memory without a batch ahead of it that will start the next one when it ends.
 */

/** One item's outcome, so one caller's failure does not reject the others in its batch. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface BatcherOptions {
  /** Batches running at once (1 on an engine with one connection). */
  maxInFlight: number;
  /** Items per batch at most. */
  maxBatch: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, R> {
  readonly #run: (items: readonly I[]) => Promise<readonly Settled<R>[]>;
  readonly #options: BatcherOptions;
  #queue: Waiting<I, R>[] = [];
  #inFlight = 0;
  #scheduled = false;

  /** `run` settles each item of a batch, in order; if it throws, every item of the batch is rejected. */
  constructor(run: (items: readonly I[]) => Promise<readonly Settled<R>[]>, options: BatcherOptions) {
    if (!(options.maxInFlight >= 1 && options.maxBatch >= 1)) throw new RangeError('maxInFlight and maxBatch must be at least 1');
    this.#run = run;
    this.#options = options;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // Requests parsed in the same turn of the event loop join one batch: start it on the next
      // turn (a batch already running starts the next one itself when it ends).
      if (!this.#scheduled && this.#inFlight < this.#options.maxInFlight) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#pump();
        });
      }
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      this.#inFlight++;
      void this.#settle(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #settle(batch: Waiting<I, R>[]): Promise<void> {
    let outcomes: readonly Settled<R>[];
    try {
      outcomes = await this.#run(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (!outcome) w.reject(new Error('a batch returned fewer outcomes than items'));
      else if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
