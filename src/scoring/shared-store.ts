/**
 * The store as single-member scoring uses it under load: concurrent requests share their reads
 * (one record statement for every member asked for meanwhile) and their writes (one statement,
 * so one commit, for the scores and audit rows of every request that finished scoring
 * meanwhile: a group commit). Each request still waits for its own write to be committed before
 * it answers, so nothing accepted is lost; an idle service runs each request's statements at once.
 */
import { Batcher, type Settled } from '../lib/batcher.ts';
import type { Database } from '../store/database.ts';
import { fetchMemberRecordTexts, type RecordLayout, type RecordText } from '../store/members.ts';
import { READ_AHEAD_CHUNK, storeInOneStatement, type AuditRecord, type StoredRow } from './service.ts';

/** A member's record as read, not parsed yet (a scoring thread parses it). */
export interface StoredRecord {
  layout: RecordLayout;
  record: RecordText;
}

/** Scores written per shared statement: its text stays well under a megabyte. */
const MAX_WRITE_BATCH = 64;

interface PendingWrite {
  row: StoredRow;
  updateLatest: boolean;
  audit: AuditRecord;
}

export class SharedScoreStore {
  readonly #db: Database;
  readonly #reads: Batcher<string, StoredRecord | undefined>;
  readonly #writes: Batcher<PendingWrite, void>;

  constructor(db: Database) {
    this.#db = db;
    // PGlite has one connection: a second batch in flight would only queue behind the first
    // instead of joining the next one. PostgreSQL overlaps two (its own cores do the work).
    const maxInFlight = db.engine === 'pglite' ? 1 : 2;
    // Members per shared read: as many as a batch reads per statement.
    this.#reads = new Batcher((ids) => this.#read(ids), { maxInFlight, maxBatch: READ_AHEAD_CHUNK });
    this.#writes = new Batcher((writes) => this.#write(writes), { maxInFlight, maxBatch: MAX_WRITE_BATCH });
  }

  /** The member's stored record, or undefined for an unknown id. */
  read(memberId: string): Promise<StoredRecord | undefined> {
    return this.#reads.submit(memberId);
  }

  /**
   * Store one score (as the latest of its member unless the record came inline) with the audit
   * row of the request that made it; resolves once both are committed.
   */
  store(row: StoredRow, updateLatest: boolean, audit: AuditRecord): Promise<void> {
    return this.#writes.submit({ row, updateLatest, audit });
  }

  async #read(ids: readonly string[]): Promise<Settled<StoredRecord | undefined>[]> {
    const { layout, records } = await fetchMemberRecordTexts(this.#db, [...new Set(ids)]);
    // Texts are immutable: two requests for one member share one.
    const byId = new Map(records.map((r) => [r.memberId, r]));
    return ids.map((id) => {
      const record = byId.get(id);
      return { ok: true, value: record && { layout, record } };
    });
  }

  async #write(writes: readonly PendingWrite[]): Promise<Settled<void>[]> {
    const outcomes: Settled<void>[] = [];
    // One statement cannot upsert a member's latest score twice: a repeated member starts the
    // next statement, so the scores still land in the order they were made.
    let group: PendingWrite[] = [];
    const members = new Set<string>();
    const flush = async () => {
      if (group.length > 0) outcomes.push(...(await this.#writeGroup(group)));
      group = [];
      members.clear();
    };
    for (const w of writes) {
      if (members.has(w.row.memberId)) await flush();
      group.push(w);
      members.add(w.row.memberId);
    }
    await flush();
    return outcomes;
  }

  async #writeGroup(group: readonly PendingWrite[]): Promise<Settled<void>[]> {
    const once = (ws: readonly PendingWrite[]) =>
      storeInOneStatement(
        this.#db,
        ws.map((w) => w.row),
        null,
        (_row, i) => ws[i]!.updateLatest,
        ws.map((w) => w.audit),
      );
    try {
      await once(group);
      return group.map(() => ({ ok: true, value: undefined }));
    } catch (error) {
      if (group.length === 1) return [{ ok: false, error }];
    }
    // The shared statement failed: one at a time, so a request's problem stays its own.
    const outcomes: Settled<void>[] = [];
    for (const w of group) {
      try {
        await once([w]);
        outcomes.push({ ok: true, value: undefined });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }
}
