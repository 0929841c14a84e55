/**
 * The store edge of performance runs (migrations 006, 008): read every member out of the store in
 * pages, compute the period's figures and statements (pure: performance-run.ts), and keep the run
 * append-only; read the latest run of a period back. Used by `stratum performance` and the
 * /v1/performance routes alike, so both compute the same thing.
 *
 * A period is a year (`2026`) or a quarter (`2026Q2`, its rolling twelve months, for monitoring):
 * a quarter run reads no money (no capitation payments, costs or previous composite) and issues
 * no statements, since P4P money is yearly (performance-run.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Policy } from '../../config/policy.ts';
import type { MemberRecord } from '../../features/member-record.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { fetchMemberRecords, memberIdPages } from '../../store/members.ts';
import type { InstitutionPerformanceOptions } from '../adjustment/institution-performance.ts';
import { computeInstitutionPerformance } from '../adjustment/institution-performance.ts';
import type { PerformancePeriod } from '../attribution.ts';
import { parsePeriod } from '../attribution.ts';
import type { InstitutionMoneyInputs, MemberIndicatorRow, PerformanceRunResult, StoredInstitutionResult } from './performance-run.ts';
import { AttributedCostAccumulator, assemblePerformanceRun, memberIndicatorRows, NO_CAPITATION_STORED } from './performance-run.ts';

/** A stored run, as read back. */
export interface StoredPerformanceRun {
  runId: string;
  /** The period's label, `2026` or `2026Q2` (migration 008; runs stored as an integer year read back as its text). */
  period: string;
  createdAt: string;
  createdBy: string;
  inputsFingerprint: string;
  memberCount: number;
  result: PerformanceRunResult;
}

export interface ComputeRunOptions {
  /** A year (statements issued) or a quarter (monitoring: rates only); see parsePeriod. */
  period: PerformancePeriod;
  policy: Pick<Policy, 'p4p' | 'control' | 'packages'>;
  /** The statements' issue date (YYYY-MM-DD). */
  issuedOn: string;
  /** Who asked: a principal id, or `cli:<user>`. */
  createdBy: string;
  /** Risk-adjustment options (bootstrap replicates, seed). */
  adjustment?: Omit<InstitutionPerformanceOptions, 'keepMemberDetail'>;
  pageSize?: number;
  /** Members read so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Every member's record, page by page, plus the inputs fingerprint over them in id order. */
async function readAllMembers(db: Queryable, options: ComputeRunOptions, hash: ReturnType<typeof createHash>): Promise<MemberRecord[]> {
  const total = Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM member`)).rows[0]?.n ?? 0);
  const records: MemberRecord[] = [];
  options.onProgress?.(0, total);
  for await (const ids of memberIdPages(db, options.pageSize ?? 2000)) {
    const page = await fetchMemberRecords(db, ids);
    for (const id of ids) {
      const record = page.get(id);
      if (!record) continue;
      hash.update(JSON.stringify(record));
      hash.update('\n');
      records.push(record);
    }
    options.onProgress?.(records.length, Math.max(total, records.length));
  }
  return records;
}

/** Capitation payment per institution: its latest stored risk adjustment for the year (005). */
async function capitationPayments(db: Queryable, year: number): Promise<Map<string, { amount: string; source: string }>> {
  const rows = await db.query<{ institution_id: string; result_id: string; total: string }>(
    `SELECT DISTINCT ON (institution_id) institution_id, result_id, (medical_total + package_total)::text AS total
       FROM risk_adjustment WHERE period = $1 ORDER BY institution_id, created_at DESC, result_id DESC`,
    [year],
  );
  return new Map(rows.rows.map((r) => [r.institution_id, { amount: r.total, source: `risk_adjustment ${r.result_id}` }]));
}

/** The money inputs of a year's statements: capitation payments, costs, last year's composites. */
async function moneyInputs(db: Queryable, year: number, institutions: readonly { institution_id: string }[], records: readonly MemberRecord[], options: ComputeRunOptions) {
  const costs = new AttributedCostAccumulator(options.period, options.policy.p4p);
  for (const r of records) costs.add(r);
  const payments = await capitationPayments(db, year);
  const previous = await latestRun(db, String(year - 1));
  const money = new Map<string, InstitutionMoneyInputs>();
  for (const i of institutions) {
    const pay = payments.get(i.institution_id);
    const prev = previous?.result.institutions.find((p) => p.institutionId === i.institution_id)?.statement?.composite.exact ?? null;
    money.set(i.institution_id, {
      capitationPayment: pay?.amount ?? '0.00',
      capitationSource: pay?.source ?? NO_CAPITATION_STORED,
      costPerMemberYear: costs.costPerMemberYear(i.institution_id),
      previousComposite: prev,
    });
  }
  return money;
}

/** Compute the period's run from the store and keep it; returns the stored run. */
export async function computeAndStoreRun(db: Database, options: ComputeRunOptions): Promise<StoredPerformanceRun> {
  const period = options.period;
  const hash = createHash('sha256');
  const records = await readAllMembers(db, options, hash);
  const institutions = (await db.query<{ institution_id: string; level: string }>(`SELECT institution_id, level FROM institution ORDER BY institution_id`)).rows;

  // Money is yearly (DOMAIN.md): a quarter run reads none of it.
  const money = period.kind === 'year' ? await moneyInputs(db, Number(period.label), institutions, records, options) : null;

  const perf = computeInstitutionPerformance(records, institutions, period, options.policy, { ...options.adjustment, keepMemberDetail: true });
  const memberCount = records.length;
  records.length = 0;
  const result = assemblePerformanceRun(perf, money, { issuedOn: options.issuedOn }, options.policy.p4p);
  const memberRows = memberIndicatorRows(perf);

  hash.update(JSON.stringify({ period, policy: options.policy, adjustment: options.adjustment ?? {}, money: money === null ? null : [...money.entries()], issuedOn: options.issuedOn }));
  const fingerprint = hash.digest('hex');
  const runId = `perf-${randomUUID()}`;
  const { institutions: stored, ...summary } = result;
  const createdAt = await db.transaction(async (tx) => {
    const inserted = await tx.query<{ created_at: string }>(
      `INSERT INTO performance_run (run_id, period, created_by, inputs_fingerprint, member_count, summary, institutions)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
       RETURNING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`,
      [runId, period.label, options.createdBy, fingerprint, memberCount, JSON.stringify(summary), JSON.stringify(stored)],
    );
    await tx.copyFrom(
      'performance_run_member',
      ['run_id', 'institution_id', 'member_id', 'indicator', 'in_numerator', 'explanation'],
      memberRows.map((m) => [runId, m.institutionId, m.memberId, m.indicator, m.inNumerator, m.explanation]),
    );
    return inserted.rows[0]!.created_at;
  });
  return { runId, period: period.label, createdAt, createdBy: options.createdBy, inputsFingerprint: fingerprint, memberCount, result };
}

interface RunRow {
  run_id: string;
  period: string;
  created_at: string;
  created_by: string;
  inputs_fingerprint: string;
  member_count: number;
  summary: StoredSummary;
  institutions: StoredInstitutionResult[];
}

type PeriodFields = 'periodKind' | 'periodStart' | 'periodEnd' | 'statementsNote';
/** A stored summary: runs stored before quarters were served (migration 008) lack the period fields. */
type StoredSummary = Omit<PerformanceRunResult, 'institutions' | PeriodFields> & Partial<Pick<PerformanceRunResult, PeriodFields>>;

/** The summary with its period fields, filled from the label for runs stored before they existed (all years). */
function withPeriodFields(summary: StoredSummary, label: string): Omit<PerformanceRunResult, 'institutions'> {
  const p = parsePeriod(label);
  return {
    ...summary,
    period: label,
    periodKind: summary.periodKind ?? p.kind,
    periodStart: summary.periodStart ?? p.startDay,
    periodEnd: summary.periodEnd ?? p.endDay,
    statementsNote: summary.statementsNote ?? null,
  };
}

/** The latest stored run of the period (`2026`, `2026Q2`), or null when none. */
export async function latestRun(db: Queryable, period: string): Promise<StoredPerformanceRun | null> {
  const rows = await db.query<RunRow>(
    `SELECT run_id, period, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, created_by, inputs_fingerprint, member_count, summary, institutions
       FROM performance_run WHERE period = $1 ORDER BY created_at DESC, run_id DESC LIMIT 1`,
    [period],
  );
  const r = rows.rows[0];
  if (!r) return null;
  const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  return {
    runId: r.run_id,
    period: r.period,
    createdAt: r.created_at,
    createdBy: r.created_by,
    inputsFingerprint: r.inputs_fingerprint,
    memberCount: r.member_count,
    result: { ...withPeriodFields(parse(r.summary), r.period), institutions: parse(r.institutions) },
  };
}

/** The drill-down rows of one institution in a run, by indicator then member. */
export async function runMembers(db: Queryable, runId: string, institutionId: string): Promise<MemberIndicatorRow[]> {
  const rows = await db.query<{ member_id: string; indicator: string; in_numerator: boolean; explanation: string }>(
    `SELECT member_id, indicator, in_numerator, explanation FROM performance_run_member WHERE run_id = $1 AND institution_id = $2 ORDER BY indicator, member_id`,
    [runId, institutionId],
  );
  return rows.rows.map((r) => ({ institutionId, memberId: r.member_id, indicator: r.indicator, inNumerator: r.in_numerator, explanation: r.explanation }));
}
