/**
 * One stored performance run of a period, assembled from the institutions' figures
 * (src/performance/adjustment/institution-performance.ts) and their P4P statements
 * (src/performance/p4p/statement.ts): the shape the CLI prints, the HTML report draws, the
 * store keeps (migration 006) and the API answers with.
 *
 * Money inputs of the statements, documented choices:
 * - capitation payment of an institution: medical + package totals of its latest stored risk
 *   adjustment for the year (migration 005); none stored -> 0.00, with the source marked
 *   "none stored" (a deduction is then 0.00: run POST /v1/risk-adjustments first).
 * - capitation spending (bonus cap base, DOMAIN.md "Cap"): the sum of those payments.
 * - cost per member-year (TOPSIS cost criterion): the attributed members' claims in the period
 *   divided by their enrolled member-years. Not risk-adjusted (no stored risk scores are
 *   assumed); the statement's ranking records the figure used.
 * - previous composite: the institution's composite in the latest stored run of the year before.
 * An institution without patients for one of O1/O2/P1/P2 cannot be ranked (DOMAIN.md "Ranking"
 * needs all four criteria): it gets no statement, and the reason is reported.
 *
 * A quarter run (the rolling twelve months ending at the quarter's end) is for monitoring only
 * (DOMAIN.md "Assessment every quarter (rolling twelve months, for monitoring), settlement once a
 * year"; P4P money is yearly): it carries the rates, raw and risk-standardised, and the process
 * rates, but no money inputs and no statement, so no composite, rank, bonus, deduction or
 * coefficient; every institution's `notRankedReason` and the run's `statementsNote` say why.
 * Pure: no I/O.
 */
import type { MemberRecord } from '../../features/member-record.ts';
import { Decimal, fenString } from '../../lib/money.ts';
import type { InstitutionPerformance, OutcomeIndicatorResult, PerformanceRun, ProcessIndicatorResult } from '../adjustment/institution-performance.ts';
import { toP4PInstitutionInput } from '../adjustment/institution-performance.ts';
import type { OutcomeIndicatorId } from '../adjustment/outcomes.ts';
import { OUTCOME_INDICATORS } from '../adjustment/outcomes.ts';
import type { PerformancePeriod } from '../attribution.ts';
import { attributeMember } from '../attribution.ts';
import type { P4PPolicy } from '../p4p/composite.ts';
import type { P4PStatement } from '../p4p/statement.ts';
import { issueP4PStatements } from '../p4p/statement.ts';
import type { ProcessIndicatorId } from '../process-measures.ts';

/** The money figures behind one institution's statement, with where they came from. */
export interface InstitutionMoneyInputs {
  capitationPayment: string;
  /** e.g. "risk_adjustment ra-..." or "none stored". */
  capitationSource: string;
  costPerMemberYear: number;
  previousComposite: string | null;
}

/** An outcome indicator as stored: the adjusted figures without the per-patient contributions. */
export type StoredOutcome = Omit<OutcomeIndicatorResult, 'patients'>;

/** Why a quarter run has no statements (the run's `statementsNote`, each institution's `notRankedReason`). */
export const QUARTER_STATEMENTS_NOTE =
  'quarter run (rolling twelve months, for monitoring): P4P statements (composite, rank, bonus, deduction, coefficient) are issued for calendar years only';

/** One institution in a stored run. */
export interface StoredInstitutionResult {
  institutionId: string;
  level: string;
  attributedMembers: number;
  notAttributed: InstitutionPerformance['notAttributed'];
  servedPersons: number;
  outcomes: Record<OutcomeIndicatorId, StoredOutcome>;
  processes: Record<ProcessIndicatorId, ProcessIndicatorResult>;
  /** Null in a quarter run (no money is computed for a quarter). */
  money: InstitutionMoneyInputs | null;
  /** Null when the institution could not be ranked, and in a quarter run (see `notRankedReason`). */
  statement: P4PStatement | null;
  notRankedReason: string | null;
}

/** A performance run of a period, as stored and served. */
export interface PerformanceRunResult {
  /** The period's label: `2026` (a year) or `2026Q2` (a quarter). */
  period: string;
  periodKind: PerformancePeriod['kind'];
  /** First and last day of the period (a quarter: its rolling twelve months). */
  periodStart: string;
  periodEnd: string;
  /** Null for a year; for a quarter, why there are no statements (QUARTER_STATEMENTS_NOTE). */
  statementsNote: string | null;
  issuedOn: string;
  overallRates: PerformanceRun['overallRates'];
  models: PerformanceRun['models'];
  unattributed: PerformanceRun['unattributed'];
  unknownInstitutions: string[];
  /** Bonus cap base; null in a quarter run. */
  capitationSpending: string | null;
  institutions: StoredInstitutionResult[];
}

/** The capitation source of an institution without a stored risk adjustment for the year. */
export const NO_CAPITATION_STORED = 'none stored';

/**
 * A yearly run's warning when some institutions' money rests on no stored risk adjustment (their
 * capitation counts as 0.00): without it, a run made before the settlement engine priced the year
 * shows bonuses of 0.00 and no deductions, and nobody would know why. Null when all are priced.
 */
export function unpricedCapitationWarning(run: PerformanceRunResult): string | null {
  if (run.periodKind !== 'year') return null;
  const unpriced = run.institutions.filter((i) => i.money?.capitationSource === NO_CAPITATION_STORED).length;
  if (unpriced === 0) return null;
  const fix = 'Price the year first (POST /v1/risk-adjustments), then run this again.';
  if (unpriced === run.institutions.length) {
    return `No institution has a stored risk adjustment for ${run.period}: capitation payments count as 0.00, so the P4P budget (a share of capitation spending) is 0.00, every bonus is 0.00 and no deduction applies. ${fix}`;
  }
  return `${unpriced} of ${run.institutions.length} institutions have no stored risk adjustment for ${run.period}: their capitation payments count as 0.00, so they add nothing to the P4P budget and no deduction applies to them. ${fix}`;
}

/** One line of the ranked table (CLI, HTML report, API list). */
export interface RankedRow {
  institutionId: string;
  level: string;
  /** TOPSIS rank within the level (null when not ranked). */
  rank: number | null;
  of: number | null;
  O1: { raw: number | null; riskStandardised: number | null; denominator: number };
  O2: { raw: number | null; riskStandardised: number | null; denominator: number };
  P1: { rate: number | null; denominator: number };
  P2: { rate: number | null; denominator: number };
  composite: string | null;
  servedPersons: number;
  bonus: string | null;
  deduction: string | null;
  coefficient: number | null;
  notRankedReason: string | null;
}

/** Claims and enrolled months of each institution's attributed members, for cost per member-year. */
export class AttributedCostAccumulator {
  private readonly totals = new Map<string, { amount: Decimal; months: number }>();

  constructor(
    private readonly period: PerformancePeriod,
    private readonly p4p: Pick<P4PPolicy, 'minEnrolledMonths'>,
  ) {}

  /** Count one member: its claims in the period's months go to the institution it is attributed to. */
  add(record: MemberRecord): void {
    const a = attributeMember(record, this.period, this.p4p);
    if (!a.attributed) return;
    const first = this.period.startDay.slice(0, 7);
    const last = this.period.endDay.slice(0, 7);
    let amount = new Decimal(0);
    for (const c of record.claims) if (c.month >= first && c.month <= last) amount = amount.plus(c.amount);
    const t = this.totals.get(a.institutionId) ?? { amount: new Decimal(0), months: 0 };
    t.amount = t.amount.plus(amount);
    t.months += a.enrolledMonths;
    this.totals.set(a.institutionId, t);
  }

  /** Claims per enrolled member-year, CNY; 0 when no attributed member. */
  costPerMemberYear(institutionId: string): number {
    const t = this.totals.get(institutionId);
    if (!t || t.months === 0) return 0;
    return t.amount.times(12).dividedBy(t.months).toDecimalPlaces(2).toNumber();
  }
}

const REQUIRED_FOR_RANKING = ['O1', 'O2', 'P1', 'P2'] as const;

function whyNotRankable(perf: InstitutionPerformance): string | null {
  const missing = REQUIRED_FOR_RANKING.filter((id) => (id === 'O1' || id === 'O2' ? perf.outcomes[id].rawRate === null : perf.processes[id].rate === null));
  return missing.length === 0 ? null : `no patients for ${missing.join(', ')}: ranking needs every indicator`;
}

/**
 * Issue the statements of a year and assemble the run to store. A quarter run gets no statements
 * and keeps no money inputs (`money` is ignored for it; pass null).
 */
export function assemblePerformanceRun(
  perf: PerformanceRun,
  money: ReadonlyMap<string, InstitutionMoneyInputs> | null,
  context: { issuedOn: string; holidays?: string[] },
  policy: P4PPolicy,
): PerformanceRunResult {
  const yearly = perf.period.kind === 'year';
  const moneyOf = (id: string): InstitutionMoneyInputs => money?.get(id) ?? { capitationPayment: '0.00', capitationSource: NO_CAPITATION_STORED, costPerMemberYear: 0, previousComposite: null };
  const spending = perf.institutions.reduce((s, i) => s.plus(moneyOf(i.institutionId).capitationPayment), new Decimal(0));
  const rankable = yearly ? perf.institutions.filter((i) => whyNotRankable(i) === null) : [];
  const statements = yearly
    ? issueP4PStatements(
        rankable.map((i) => toP4PInstitutionInput(i, moneyOf(i.institutionId))),
        { year: Number(perf.period.startDay.slice(0, 4)), issuedOn: context.issuedOn, capitationSpending: spending, holidays: context.holidays },
        policy,
      )
    : [];
  const byId = new Map(statements.map((s) => [s.institutionId, s]));
  return {
    period: perf.period.label,
    periodKind: perf.period.kind,
    periodStart: perf.period.startDay,
    periodEnd: perf.period.endDay,
    statementsNote: yearly ? null : QUARTER_STATEMENTS_NOTE,
    issuedOn: context.issuedOn,
    overallRates: perf.overallRates,
    models: perf.models,
    unattributed: perf.unattributed,
    unknownInstitutions: perf.unknownInstitutions,
    capitationSpending: yearly ? fenString(spending) : null,
    institutions: perf.institutions.map((i) => {
      const outcomes = {} as Record<OutcomeIndicatorId, StoredOutcome>;
      for (const id of OUTCOME_INDICATORS) {
        const { patients: _patients, ...rest } = i.outcomes[id];
        outcomes[id] = rest;
      }
      return {
        institutionId: i.institutionId,
        level: i.level,
        attributedMembers: i.attributedMembers,
        notAttributed: i.notAttributed,
        servedPersons: i.servedPersons,
        outcomes,
        processes: i.processes,
        money: yearly ? moneyOf(i.institutionId) : null,
        statement: byId.get(i.institutionId) ?? null,
        notRankedReason: yearly ? whyNotRankable(i) : QUARTER_STATEMENTS_NOTE,
      };
    }),
  };
}

/** The ranked table: by level, then TOPSIS rank (unranked last), then institution id. */
export function rankedRows(run: Pick<PerformanceRunResult, 'institutions'>): RankedRow[] {
  const rows = run.institutions.map((i): RankedRow => {
    const s = i.statement;
    return {
      institutionId: i.institutionId,
      level: i.level,
      rank: s?.ranking.rank ?? null,
      of: s?.ranking.of ?? null,
      O1: { raw: i.outcomes.O1.rawRate, riskStandardised: i.outcomes.O1.riskStandardisedRate, denominator: i.outcomes.O1.denominator },
      O2: { raw: i.outcomes.O2.rawRate, riskStandardised: i.outcomes.O2.riskStandardisedRate, denominator: i.outcomes.O2.denominator },
      P1: { rate: i.processes.P1.rate, denominator: i.processes.P1.denominator },
      P2: { rate: i.processes.P2.rate, denominator: i.processes.P2.denominator },
      composite: s?.composite.value ?? null,
      servedPersons: i.servedPersons,
      bonus: s?.bonus.amount.amount ?? null,
      deduction: s?.deduction.amount.amount ?? null,
      coefficient: s?.ranking.nextYearCoefficient ?? null,
      notRankedReason: i.notRankedReason,
    };
  });
  return rows.sort((a, b) => a.level.localeCompare(b.level) || (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.institutionId.localeCompare(b.institutionId));
}

/** One member's place in one indicator of one institution (the API's drill-down). */
export interface MemberIndicatorRow {
  institutionId: string;
  memberId: string;
  indicator: string;
  inNumerator: boolean;
  /** Why the member is in the denominator and in (or out of) the numerator. */
  explanation: string;
}

/** The denominator members of every indicator, from a run computed with `keepMemberDetail`. */
export function memberIndicatorRows(perf: PerformanceRun): MemberIndicatorRow[] {
  const rows: MemberIndicatorRow[] = [];
  for (const i of perf.institutions) {
    for (const o of i.memberDetail?.outcomes ?? []) rows.push({ institutionId: i.institutionId, memberId: o.memberId, indicator: o.indicator, inNumerator: o.controlled, explanation: o.explanation });
    for (const p of i.memberDetail?.processes ?? [])
      if (p.inDenominator) rows.push({ institutionId: i.institutionId, memberId: p.memberId, indicator: p.indicator, inNumerator: p.inNumerator, explanation: p.explanation });
  }
  return rows;
}
