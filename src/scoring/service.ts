/**
 * Scoring with the store: fetch members' records, score them, and keep every answer with its
 * model versions and input fingerprint (so it can be explained and reproduced later). One
 * member's problem is reported beside the results and never sinks a batch (STYLE.md item 5).
 */
import type { Policy, RiskClass } from '../config/policy.ts';
import type { MemberRecord } from '../features/member-record.ts';
import type { Queryable } from '../store/database.ts';
import { fetchMemberRecords } from '../store/members.ts';
import type { ModelSet } from './model-set.ts';
import { ModelUnavailableError, scoreMember, type MemberScore } from './score-member.ts';

/** Members scored between yields to the event loop. */
const YIELD_EVERY = 16;
/** Scores stored per statement. */
const STORE_CHUNK = 1000;

export const CLASS_RANK: Record<RiskClass, number> = { healthy: 1, 'high-risk': 2, mild: 3, moderate: 4, severe: 5 };

export interface MemberProblem {
  memberId: string;
  code: 'MEMBER_NOT_FOUND' | 'SCORING_FAILED';
  message: string;
}

export interface ScoredBatch {
  scores: MemberScore[];
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

/** Score records already in hand (inline or fetched) and store the results in one transaction. */
export async function scoreRecords(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  records: readonly MemberRecord[],
  asOf: string,
  models: ModelSet,
  policy: Policy,
  jobId: string | null = null,
  /** More statements for the same transaction (a job's cursor advances with its results). */
  alsoInTransaction?: (tx: Queryable, batch: ScoredBatch) => Promise<void>,
  /**
   * Whether these scores become the members' latest (what clinics' lists show). Records sent
   * inline are the caller's, not the store's: they are kept in the score history but never
   * replace a member's listed score or move a member between institutions' lists.
   */
  updateLatest = true,
): Promise<ScoredBatch> {
  const scores: MemberScore[] = [];
  const problems: MemberProblem[] = [];
  const institutions: (string | null)[] = [];
  for (const [i, record] of records.entries()) {
    // Scoring is CPU work on the event loop: yield regularly so a big batch or a background job
    // does not hold up other requests (health checks, a clinic's list) for seconds.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      scores.push(scoreMember(record, asOf, models, policy));
      institutions.push(institutionOf(record, asOf));
    } catch (err) {
      if (err instanceof ModelUnavailableError) throw err; // fatal for the whole request
      problems.push({ memberId: record.member.member_id, code: 'SCORING_FAILED', message: err instanceof Error ? err.message : String(err) });
    }
  }
  const batch = { scores, problems };
  if (scores.length || alsoInTransaction)
    await db.transaction(async (tx) => {
      // Chunks keep each statement's parameter arrays small; one huge insert got slower per member as batches grew.
      for (let i = 0; i < scores.length; i += STORE_CHUNK) await storeScores(tx, scores.slice(i, i + STORE_CHUNK), institutions.slice(i, i + STORE_CHUNK), jobId, updateLatest);
      await alsoInTransaction?.(tx, batch);
    });
  return batch;
}

/** Fetch and score members by id; unknown ids are reported, not thrown. */
export async function scoreMemberIds(db: Queryable & { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, ids: readonly string[], asOf: string, models: ModelSet, policy: Policy, jobId: string | null = null): Promise<ScoredBatch> {
  const records = await fetchMemberRecords(db, ids);
  const batch = await scoreRecords(db, [...records.values()], asOf, models, policy, jobId);
  for (const id of ids) if (!records.has(id)) batch.problems.push({ memberId: id, code: 'MEMBER_NOT_FOUND', message: 'no member with this id' });
  return batch;
}

async function storeScores(tx: Queryable, scores: MemberScore[], institutions: (string | null)[], jobId: string | null, updateLatest: boolean): Promise<void> {
  const col = <T>(f: (s: MemberScore, i: number) => T) => scores.map(f);
  const inserted = await tx.query<{ score_id: number; member_id: string }>(
    `INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, readmission_p, onset_hypertension_p, onset_diabetes_p, onset_chd_p,
                               model_versions, input_fingerprint, result, job_id)
     SELECT m, a::date, i, c, r, p1, p2, p3, p4, v::jsonb, f, res::jsonb, $13
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::text[])
         AS t(m, a, i, c, r, p1, p2, p3, p4, v, f, res)
     RETURNING score_id, member_id`,
    [
      col((s) => s.memberId),
      col((s) => s.asOf),
      institutions,
      col((s) => s.riskClass.class),
      col((s) => s.riskClass.row),
      col((s) => probabilityOf(s, 'readmission')),
      col((s) => probabilityOf(s, 'onset-hypertension')),
      col((s) => probabilityOf(s, 'onset-diabetes')),
      col((s) => probabilityOf(s, 'onset-chd')),
      col((s) => JSON.stringify(s.modelVersions)),
      col((s) => s.inputFingerprint),
      col((s) => JSON.stringify(s)),
      jobId,
    ],
  );
  if (!updateLatest) return;
  const idByMember = new Map(inserted.rows.map((r) => [r.member_id, Number(r.score_id)]));
  // A member scored twice in one batch keeps the last score.
  const last = new Map<string, number>();
  scores.forEach((s, i) => last.set(s.memberId, i));
  const picks = [...last.values()];
  const rows = picks.map((i) => scores[i]!);
  const maxRisk = (s: MemberScore) => Math.max(0, ...s.predictions.map((p) => p.probability ?? 0));
  await tx.query(
    `INSERT INTO member_latest_score (member_id, score_id, institution_id, risk_class, class_rank, max_risk, readmission_p, onset_hypertension_p, onset_diabetes_p, onset_chd_p, as_of, summary)
     SELECT m, s, i, c, r, x, p1, p2, p3, p4, a, j::jsonb
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::smallint[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::date[], $12::text[])
         AS t(m, s, i, c, r, x, p1, p2, p3, p4, a, j)
     ON CONFLICT (member_id) DO UPDATE SET score_id = EXCLUDED.score_id, institution_id = EXCLUDED.institution_id, risk_class = EXCLUDED.risk_class,
       class_rank = EXCLUDED.class_rank, max_risk = EXCLUDED.max_risk, readmission_p = EXCLUDED.readmission_p, onset_hypertension_p = EXCLUDED.onset_hypertension_p,
       onset_diabetes_p = EXCLUDED.onset_diabetes_p, onset_chd_p = EXCLUDED.onset_chd_p, as_of = EXCLUDED.as_of, summary = EXCLUDED.summary
     WHERE member_latest_score.as_of <= EXCLUDED.as_of`,
    [
      rows.map((s) => s.memberId),
      rows.map((s) => idByMember.get(s.memberId)!),
      picks.map((i) => institutions[i] ?? null),
      rows.map((s) => s.riskClass.class),
      rows.map((s) => CLASS_RANK[s.riskClass.class]),
      rows.map(maxRisk),
      rows.map((s) => probabilityOf(s, 'readmission')),
      rows.map((s) => probabilityOf(s, 'onset-hypertension')),
      rows.map((s) => probabilityOf(s, 'onset-diabetes')),
      rows.map((s) => probabilityOf(s, 'onset-chd')),
      rows.map((s) => s.asOf),
      rows.map((s) => JSON.stringify(listSummary(s))),
    ],
  );
}

/** What a clinic's list shows for a member: why, what is open, what is next, and the strongest factors. */
export interface ListSummary {
  reasons: string[];
  careGaps: string[];
  nextDue: MemberScore['nextDue'];
  topFactors: string[];
}

export function listSummary(s: MemberScore): ListSummary {
  const factors = s.predictions.flatMap((p) => p.topFactors.map((f) => ({ text: `${p.model}: ${f.text}`, c: f.contribution }))).sort((a, b) => b.c - a.c);
  return { reasons: s.riskClass.reasons, careGaps: s.riskClass.careGaps, nextDue: s.nextDue, topFactors: factors.slice(0, 3).map((f) => f.text) };
}
