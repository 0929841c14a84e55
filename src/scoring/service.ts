/**
 * Scoring with the store: fetch members' records, score them, and keep every answer with its
 * model versions and input fingerprint (so it can be explained and reproduced later). One
 * member's problem is reported beside the results and never sinks a batch (STYLE.md item 5).
 */
import type { Policy, RiskClass } from '../config/policy.ts';
import type { MemberRecord } from '../features/member-record.ts';
import { AUDIT_LOG_INSERT } from '../store/audit-log.ts';
import type { Engine, Queryable } from '../store/database.ts';
import { fetchMemberRecordTexts, parseMemberRecord, type RecordLayout, type RecordText } from '../store/members.ts';
import type { ModelSet } from './model-set.ts';
import { ModelUnavailableError, scoreMember, type MemberScore } from './score-member.ts';

/** Members scored between yields to the event loop. */
const YIELD_EVERY = 16;
/** Members read per statement when scoring by id (the next chunk is read while one is scored). */
export const READ_AHEAD_CHUNK = 250;
/** Scores stored per COPY, so one statement's text stays a few megabytes. */
const STORE_CHUNK = 1000;
/**
 * Up to this many scores of distinct members (a single score, a small batch) are stored by one
 * statement: atomic on its own, so without the BEGIN and COMMIT round trips a transaction costs.
 */
const ONE_STATEMENT_MAX = 32;

const CLASS_RANK: Record<RiskClass, number> = { healthy: 1, 'high-risk': 2, mild: 3, moderate: 4, severe: 5 };

export interface MemberProblem {
  memberId: string;
  code: 'MEMBER_NOT_FOUND' | 'SCORING_FAILED';
  message: string;
}

export interface ScoredBatch {
  /** Each score as stored (its `result` is the answer's JSON text), in the order scored. */
  rows: StoredRow[];
  problems: MemberProblem[];
}

/** The institution a member is attributed to on a date: their latest sign-up started before it. */
export function institutionOf(record: MemberRecord, asOf: string): string | null {
  let best: { from: string; institution: string } | null = null;
  for (const s of record.signups) {
    if (s.from_date >= asOf || (s.to_date !== null && s.to_date < asOf)) continue;
    if (!best || s.from_date > best.from) best = { from: s.from_date, institution: s.institution_id };
  }
  return best?.institution ?? null;
}

const probabilityOf = (s: MemberScore, model: string) => s.predictions.find((p) => p.model === model)?.probability ?? null;

/** A member's record scored into the row stored for it, with the institution it is attributed to. */
export function scoredRow(record: MemberRecord, asOf: string, models: ModelSet, policy: Policy): StoredRow {
  return storedRow(scoreMember(record, asOf, models, policy), institutionOf(record, asOf));
}

/** One member's outcome: the row to store, or why the member could not be scored. */
export type ScoreOutcome = { ok: true; row: StoredRow } | { ok: false; memberId: string; message: string };

/**
 * One stored record scored. A member's own problem is an outcome; a missing model throws
 * ModelUnavailableError, which is fatal for the whole request.
 */
export function scoreRecordText(layout: RecordLayout, record: RecordText, asOf: string, models: ModelSet, policy: Policy): ScoreOutcome {
  try {
    return { ok: true, row: scoredRow(parseMemberRecord(layout, record.text), asOf, models, policy) };
  } catch (err) {
    if (err instanceof ModelUnavailableError) throw err;
    return { ok: false, memberId: record.memberId, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Scores stored records into the rows kept for them, outcomes in the order given: on the event
 * loop (eventLoopScorer) or on worker threads (ScoringThreads, scoring-threads.ts).
 */
export interface RecordScorer {
  score(layout: RecordLayout, records: readonly RecordText[], asOf: string, models: ModelSet): Promise<ScoreOutcome[]>;
}

/** Scores on the event loop, yielding every few members. */
export function eventLoopScorer(policy: Policy): RecordScorer {
  return {
    async score(layout, records, asOf, models) {
      const outcomes: ScoreOutcome[] = [];
      for (const [i, record] of records.entries()) {
        // Scoring is CPU work: yield regularly so a big batch or a background job does not hold
        // up other requests (health checks, a clinic's list) for seconds.
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
        outcomes.push(scoreRecordText(layout, record, asOf, models, policy));
      }
      return outcomes;
    },
  };
}

type Store = Queryable & { readonly engine?: Engine; transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };

const newBatch = (): ScoredBatch => ({ rows: [], problems: [] });

async function scoreInto(into: ScoredBatch, scorer: RecordScorer, layout: RecordLayout, records: readonly RecordText[], asOf: string, models: ModelSet): Promise<void> {
  for (const outcome of await scorer.score(layout, records, asOf, models)) {
    if (outcome.ok) into.rows.push(outcome.row);
    else into.problems.push({ memberId: outcome.memberId, code: 'SCORING_FAILED', message: outcome.message });
  }
}

/** Store what was scored: a few distinct members in one statement, anything else in one transaction. */
async function storeBatch(
  db: Store,
  batch: ScoredBatch,
  jobId: string | null,
  alsoInTransaction: ((tx: Queryable, batch: ScoredBatch) => Promise<void>) | undefined,
): Promise<ScoredBatch> {
  const { rows } = batch;
  if (!alsoInTransaction && rows.length > 0 && rows.length <= ONE_STATEMENT_MAX && new Set(rows.map((r) => r.memberId)).size === rows.length) {
    await storeInOneStatement(db, rows, jobId, true);
  } else if (rows.length || alsoInTransaction) {
    await db.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += STORE_CHUNK) await storeChunk(tx, rows.slice(i, i + STORE_CHUNK), jobId);
      await alsoInTransaction?.(tx, batch);
    });
  }
  return batch;
}

/** Score stored records already read and store the results in one transaction. */
export async function scoreRecordTexts(
  db: Store,
  scorer: RecordScorer,
  layout: RecordLayout,
  records: readonly RecordText[],
  asOf: string,
  models: ModelSet,
  jobId: string | null = null,
  /** More statements for the same transaction (a job's cursor advances with its results). */
  alsoInTransaction?: (tx: Queryable, batch: ScoredBatch) => Promise<void>,
): Promise<ScoredBatch> {
  const batch = newBatch();
  await scoreInto(batch, scorer, layout, records, asOf, models);
  return storeBatch(db, batch, jobId, alsoInTransaction);
}

/** Hands chunks from the scoring loop to the transaction storing them, in order. */
class ChunkChannel<T> {
  #items: T[] = [];
  #closed = false;
  #error: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  push(item: T): void {
    if (this.#error) throw this.#error.error;
    this.#items.push(item);
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** The storing side failed, or scoring did: both sides stop. */
  fail(error: unknown): void {
    this.#error ??= { error };
    this.#wake?.();
  }

  /** The next chunk; undefined once closed and drained; throws after fail(). */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.#error) throw this.#error.error;
      const item = this.#items.shift();
      if (item !== undefined) return item;
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

/**
 * Fetch and score members by id; unknown ids are reported, not thrown. Records are read in
 * chunks, the next chunk while this one is scored: on PostgreSQL the server assembles records on
 * its own core meanwhile. Results follow the order of the ids.
 */
export async function scoreMemberIds(db: Store, scorer: RecordScorer, ids: readonly string[], asOf: string, models: ModelSet, jobId: string | null = null): Promise<ScoredBatch> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += READ_AHEAD_CHUNK) chunks.push(unique.slice(i, i + READ_AHEAD_CHUNK));
  const found = new Set<string>();
  const scoreChunks = async (each: (batch: ScoredBatch, from: number) => void): Promise<ScoredBatch> => {
    const batch = newBatch();
    let next = chunks.length > 0 ? fetchMemberRecordTexts(db, chunks[0]!) : undefined;
    for (let k = 0; k < chunks.length; k++) {
      const { layout, records } = await next!;
      next = k + 1 < chunks.length ? fetchMemberRecordTexts(db, chunks[k + 1]!) : undefined;
      // A read still in flight when scoring fails must not end as an unhandled rejection.
      next?.catch(() => undefined);
      const byId = new Map(records.map((r) => [r.memberId, r]));
      const inOrder = chunks[k]!.flatMap((id) => byId.get(id) ?? []);
      for (const r of inOrder) found.add(r.memberId);
      const from = batch.rows.length;
      await scoreInto(batch, scorer, layout, inOrder, asOf, models);
      each(batch, from);
    }
    return batch;
  };
  let batch: ScoredBatch;
  if (db.engine === 'postgres' && unique.length > ONE_STATEMENT_MAX) {
    // PostgreSQL: each chunk is stored (in the batch's one transaction, on its own connection)
    // while the next is read (through the pool, outside the transaction) and scored, instead of
    // the whole batch after the last one is scored.
    const chunksToStore = new ChunkChannel<StoredRow[]>();
    const storing = db.transaction(async (tx) => {
      for (let rows = await chunksToStore.next(); rows; rows = await chunksToStore.next()) await storeChunk(tx, rows, jobId);
    });
    // A failed store ends scoring early: the next chunk handed over sees it.
    storing.catch((err: unknown) => chunksToStore.fail(err));
    try {
      batch = await scoreChunks((sofar, from) => {
        if (sofar.rows.length > from) chunksToStore.push(sofar.rows.slice(from));
      });
      chunksToStore.close();
    } catch (err) {
      chunksToStore.fail(err);
      await storing.catch(() => undefined);
      throw err;
    }
    await storing;
  } else batch = await storeBatch(db, await scoreChunks(() => undefined), jobId, undefined);
  for (const id of ids) if (!found.has(id)) batch.problems.push({ memberId: id, code: 'MEMBER_NOT_FOUND', message: 'no member with this id' });
  return batch;
}

/** One score as stored: score_result's columns, and what member_latest_score keeps of it. */
export interface StoredRow {
  memberId: string;
  asOf: string;
  institutionId: string | null;
  riskClass: RiskClass;
  classRow: number;
  readmission: number | null;
  onsetHypertension: number | null;
  onsetDiabetes: number | null;
  onsetChd: number | null;
  modelVersions: string;
  inputFingerprint: string;
  result: string;
  classRank: number;
  maxRisk: number;
  /** The member's clinic-list item as JSON text without its braces, rank and risk (see listItem). */
  listItem: string;
}

export function storedRow(s: MemberScore, institutionId: string | null): StoredRow {
  return {
    memberId: s.memberId,
    asOf: s.asOf,
    institutionId,
    riskClass: s.riskClass.class,
    classRow: s.riskClass.row,
    readmission: probabilityOf(s, 'readmission'),
    onsetHypertension: probabilityOf(s, 'onset-hypertension'),
    onsetDiabetes: probabilityOf(s, 'onset-diabetes'),
    onsetChd: probabilityOf(s, 'onset-chd'),
    modelVersions: JSON.stringify(s.modelVersions),
    inputFingerprint: s.inputFingerprint,
    result: JSON.stringify(s),
    classRank: CLASS_RANK[s.riskClass.class],
    maxRisk: Math.max(0, ...s.predictions.map((p) => p.probability ?? 0)),
    listItem: listItem(s),
  };
}

/** score_result's columns as COPY writes them (scored_at takes its default: the transaction's time). */
const SCORE_RESULT_COLUMNS = [
  'score_id',
  'member_id',
  'as_of',
  'institution_id',
  'risk_class',
  'class_row',
  'readmission_p',
  'onset_hypertension_p',
  'onset_diabetes_p',
  'onset_chd_p',
  'model_versions',
  'input_fingerprint',
  'result',
  'job_id',
] as const;

/** member_latest_score's columns, in the order both of its inserts fill them. */
const LATEST_COLUMNS = 'member_id, score_id, institution_id, risk_class, class_rank, max_risk, readmission_p, onset_hypertension_p, onset_diabetes_p, onset_chd_p, as_of, list_item';

/**
 * The latest score per member wins: a listed score is never replaced by one for an earlier date,
 * nor, for the same date, by one made earlier (a lower score id) whose write arrives later, as a
 * long job's can after a single score of the same member.
 */
const UPSERT_LATEST = `ON CONFLICT (member_id) DO UPDATE SET score_id = EXCLUDED.score_id, institution_id = EXCLUDED.institution_id, risk_class = EXCLUDED.risk_class,
       class_rank = EXCLUDED.class_rank, max_risk = EXCLUDED.max_risk, readmission_p = EXCLUDED.readmission_p, onset_hypertension_p = EXCLUDED.onset_hypertension_p,
       onset_diabetes_p = EXCLUDED.onset_diabetes_p, onset_chd_p = EXCLUDED.onset_chd_p, as_of = EXCLUDED.as_of, list_item = EXCLUDED.list_item
     WHERE (member_latest_score.as_of, member_latest_score.score_id) <= (EXCLUDED.as_of, EXCLUDED.score_id)`;

/** An audit_log row written in the same statement as the scores it accounts for. */
export interface AuditRecord {
  actor: string;
  role: string;
  action: string;
  resource: string;
  memberIds: readonly string[];
  /** Small structured context (counts, dates); no member values. */
  detail: Record<string, unknown>;
}

/**
 * A few scores of distinct members: one INSERT into the history whose returned ids feed the
 * latest-score upsert (for the rows `updateLatest` picks), and any audit rows, in the same
 * statement: atomic on its own, and one commit for all of it.
 */
export async function storeInOneStatement(
  db: Queryable,
  rows: readonly StoredRow[],
  jobId: string | null,
  updateLatest: boolean | ((row: StoredRow, i: number) => boolean),
  audits: readonly AuditRecord[] = [],
): Promise<void> {
  const col = <T>(f: (r: StoredRow) => T) => rows.map(f);
  // score_id takes its sequence default.
  const insert = `INSERT INTO score_result (${SCORE_RESULT_COLUMNS.slice(1).join(', ')})
     SELECT m, a::date, i, c, r, p1, p2, p3, p4, v::jsonb, f, res::jsonb, $13
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::text[])
         AS t(m, a, i, c, r, p1, p2, p3, p4, v, f, res)`;
  const params: unknown[] = [
    col((r) => r.memberId),
    col((r) => r.asOf),
    col((r) => r.institutionId),
    col((r) => r.riskClass),
    col((r) => r.classRow),
    col((r) => r.readmission),
    col((r) => r.onsetHypertension),
    col((r) => r.onsetDiabetes),
    col((r) => r.onsetChd),
    col((r) => r.modelVersions),
    col((r) => r.inputFingerprint),
    col((r) => r.result),
    jobId,
  ];
  const latest = rows.filter((r, i) => (typeof updateLatest === 'function' ? updateLatest(r, i) : updateLatest));
  if (latest.length === 0 && audits.length === 0) {
    await db.query(insert, params);
    return;
  }
  const parts = [`s AS (${insert} RETURNING score_id, member_id, institution_id, risk_class, readmission_p, onset_hypertension_p, onset_diabetes_p, onset_chd_p, as_of)`];
  if (latest.length > 0) {
    const p = params.length;
    // The member ids are distinct, so each inserted row meets at most one list row.
    parts.push(`l AS (INSERT INTO member_latest_score (${LATEST_COLUMNS})
     SELECT s.member_id, s.score_id, s.institution_id, s.risk_class, l.r, l.x, s.readmission_p, s.onset_hypertension_p, s.onset_diabetes_p, s.onset_chd_p, s.as_of, l.j
       FROM s JOIN unnest($${p + 1}::text[], $${p + 2}::smallint[], $${p + 3}::float8[], $${p + 4}::text[]) AS l(m, r, x, j) ON l.m = s.member_id
     ${UPSERT_LATEST} RETURNING 1)`);
    params.push(
      latest.map((r) => r.memberId),
      latest.map((r) => r.classRank),
      latest.map((r) => r.maxRisk),
      latest.map((r) => r.listItem),
    );
  }
  if (audits.length > 0) {
    const p = params.length;
    // Each row's member ids travel as a JSON array: unnest cannot hand out one array per row.
    parts.push(`a AS (${AUDIT_LOG_INSERT}
     SELECT actor, role, action, resource, ARRAY(SELECT json_array_elements_text(ids::json)), detail::jsonb
       FROM unnest($${p + 1}::text[], $${p + 2}::text[], $${p + 3}::text[], $${p + 4}::text[], $${p + 5}::text[], $${p + 6}::text[]) AS t(actor, role, action, resource, ids, detail)
     RETURNING 1)`);
    params.push(
      audits.map((a) => a.actor),
      audits.map((a) => a.role),
      audits.map((a) => a.action),
      audits.map((a) => a.resource),
      audits.map((a) => JSON.stringify(a.memberIds)),
      audits.map((a) => JSON.stringify(a.detail)),
    );
  }
  // Every part runs whether or not the final SELECT reads it.
  // Prepared: single-member scoring runs it for every few requests.
  await db.query(`WITH ${parts.join(',\n')} SELECT count(*)::int AS n FROM s`, params, { prepare: true });
}

/**
 * A chunk of a bigger batch, inside the caller's transaction: ids first, then one COPY (COPY
 * reads its text faster than INSERT ... unnest reads a dozen array literals holding a 2.7 KB
 * result JSON per member with every quote escaped, on both engines), then the latest scores.
 */
async function storeChunk(tx: Queryable, rows: readonly StoredRow[], jobId: string | null): Promise<void> {
  // The ids ascend in the order of the scores, so a job's results stream back in scoring order.
  const allocated = await tx.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('score_result', 'score_id')) AS id FROM generate_series(1, $1::int)`, [rows.length]);
  const ids = allocated.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  await tx.copyFrom(
    'score_result',
    SCORE_RESULT_COLUMNS,
    rows.map((r, i) => [ids[i], r.memberId, r.asOf, r.institutionId, r.riskClass, r.classRow, r.readmission, r.onsetHypertension, r.onsetDiabetes, r.onsetChd, r.modelVersions, r.inputFingerprint, r.result, jobId]),
  );
  // A member scored twice in one batch keeps the last score.
  const last = new Map<string, number>();
  rows.forEach((r, i) => last.set(r.memberId, i));
  const picks = [...last.values()];
  const col = <T>(f: (r: StoredRow, i: number) => T) => picks.map((i) => f(rows[i]!, i));
  await tx.query(
    `INSERT INTO member_latest_score (${LATEST_COLUMNS})
     SELECT m, s, i, c, r, x, p1, p2, p3, p4, a, j
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::smallint[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::date[], $12::text[])
         AS t(m, s, i, c, r, x, p1, p2, p3, p4, a, j)
     ${UPSERT_LATEST}`,
    [
      col((r) => r.memberId),
      col((_r, i) => ids[i]!),
      col((r) => r.institutionId),
      col((r) => r.riskClass),
      col((r) => r.classRank),
      col((r) => r.maxRisk),
      col((r) => r.readmission),
      col((r) => r.onsetHypertension),
      col((r) => r.onsetDiabetes),
      col((r) => r.onsetChd),
      col((r) => r.asOf),
      col((r) => r.listItem),
    ],
  );
}

/**
 * What a clinic's list shows for a member, as the JSON text between the braces of its list item
 * (HighRiskPatient) less `rank` and `risk`: the list query puts those two in front, because they
 * depend on the page and on the model the list is ranked by. Everything else is written once,
 * here, so a 5,000-member list is copied out of the store rather than assembled per row.
 */
function listItem(s: MemberScore): string {
  const factors = s.predictions.flatMap((p) => p.topFactors.map((f) => ({ text: `${p.model}: ${f.text}`, c: f.contribution }))).sort((a, b) => b.c - a.c);
  const item = {
    memberId: s.memberId,
    riskClass: s.riskClass.class,
    reasons: s.riskClass.reasons,
    careGaps: s.riskClass.careGaps,
    nextDue: s.nextDue,
    topFactors: factors.slice(0, 3).map((f) => f.text),
    asOf: s.asOf,
  };
  return JSON.stringify(item).slice(1, -1);
}
