/**
 * Who read or wrote which members' data: rows in the append-only `audit_log` table (migration
 * 001_core.sql refuses UPDATE, DELETE and TRUNCATE). Routes that read or write member data call
 * `audit` (or the batching AuditTrail) before answering.
 */
import type { Queryable } from '../store/database.ts';
import { AUDIT_LOG_INSERT } from '../store/audit-log.ts';
import type { Principal } from './auth.ts';

/** One audited action. `memberIds` go to the table only, never to a log line. */
export interface AuditEntry {
  principal: Pick<Principal, 'id' | 'role'>;
  /** Verb, e.g. `score.read`, `score.batch`, `job.create`. */
  action: string;
  /** What was touched, e.g. `institution/INST-01/scores`. */
  resource: string;
  memberIds?: readonly string[];
  /** Small structured context (counts, period); no member values. */
  detail?: Record<string, unknown>;
}

const COLUMNS_PER_ROW = 6;
/** PostgreSQL allows 65,535 bind parameters per statement; stay well under. */
const MAX_ROWS_PER_STATEMENT = 1000;

/** Insert entries in one multi-row statement per 1,000 rows. */
async function insertEntries(db: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_ROWS_PER_STATEMENT) {
    const chunk = entries.slice(start, start + MAX_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const tuples = chunk.map((e, i) => {
      const b = i * COLUMNS_PER_ROW;
      params.push(e.principal.id, e.principal.role, e.action, e.resource, [...(e.memberIds ?? [])], JSON.stringify(e.detail ?? {}));
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::text[], $${b + 6}::jsonb)`;
    });
    await db.query(`${AUDIT_LOG_INSERT} VALUES ${tuples.join(', ')}`, params);
  }
}

/** Write one audit row now (use inside a transaction with the `tx` handle to make it atomic with the change). */
export async function audit(db: Queryable, entry: AuditEntry): Promise<void> {
  await insertEntries(db, [entry]);
}

/** Thrown by AuditTrail.record after close(). */
export class AuditTrailClosedError extends Error {
  readonly code = 'AUDIT_TRAIL_CLOSED';

  constructor() {
    super('audit trail is closed');
    this.name = 'AuditTrailClosedError';
  }
}

export interface AuditTrailOptions {
  /** Flush when this many entries wait (default 200). */
  maxBatch?: number;
  /** Otherwise flush this long after the first waiting entry (default 5 ms). */
  flushDelayMs?: number;
}

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Batches audit rows from concurrent requests into multi-row INSERTs. `record` resolves only once
 * the row is written, so a route that awaits it never answers with unaudited member data; nothing
 * is held only in memory past `close()`, which flushes what waits.
 */
export class AuditTrail {
  readonly #db: Queryable;
  readonly #maxBatch: number;
  readonly #flushDelayMs: number;
  #waiting: Waiting[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Writes run one after another so rows land in the order recorded. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(db: Queryable, options: AuditTrailOptions = {}) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#flushDelayMs = options.flushDelayMs ?? 5;
  }

  /** Queue one entry; resolves when it is in the table, rejects if the write failed. */
  record(entry: AuditEntry): Promise<void> {
    if (this.#closed) return Promise.reject(new AuditTrailClosedError());
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ entry, resolve, reject });
      if (this.#waiting.length >= this.#maxBatch) void this.flush();
      else this.#timer ??= setTimeout(() => void this.flush(), this.#flushDelayMs);
    });
  }

  /** Write everything waiting now; resolves when written (a failed batch rejects its own callers only). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length > 0) {
      this.#chain = this.#chain.then(async () => {
        try {
          await insertEntries(
            this.#db,
            batch.map((w) => w.entry),
          );
          for (const w of batch) w.resolve();
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      });
    }
    return this.#chain;
  }

  /** Refuse new entries and write every waiting one. Call before closing the database. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
