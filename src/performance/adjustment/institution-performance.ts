/**
 * An institution-period's performance figures, end to end (DOMAIN.md "Pay-for-performance",
 * "The P4P formula"): attribution, the outcome indicators O1/O2 with risk-standardised rates
 * (risk-adjustment.ts), the process indicators P1/P2 (process-measures.ts), served persons, and
 * an adapter to the P4P statement's input (src/performance/p4p/statement.ts).
 *
 * Process rates are not risk-adjusted: an exam due to every diabetic does not depend on how sick
 * the patient is, so the raw rate is the rate that moves money for P1/P2.
 * Pure: no I/O; the caller streams the member records in.
 */
import type { Policy } from '../../config/policy.ts';
import type { MemberRecord } from '../../features/member-record.ts';
import type { DecimalInput } from '../../lib/money.ts';
import type { AttributionOutReason, PerformancePeriod } from '../attribution.ts';
import { attributeMember } from '../attribution.ts';
import type { IndicatorResult } from '../p4p/composite.ts';
import type { P4PInstitutionInput } from '../p4p/statement.ts';
import type { ProcessIndicatorId, ProcessMeasureMember, ProcessRate } from '../process-measures.ts';
import { evaluateProcessMeasures, processMeasureCodes, processRates } from '../process-measures.ts';
import type { OutcomeIndicatorId, OutcomeMember } from './outcomes.ts';
import { CASE_MIX_FEATURES, evaluateOutcomes, OUTCOME_INDICATORS } from './outcomes.ts';
import type { AdjustmentRow, CaseMixModel, InstitutionAdjustedRate, RiskAdjustmentOptions } from './risk-adjustment.ts';
import { adjustIndicator } from './risk-adjustment.ts';

/** What the computation needs to know of an institution. */
export interface InstitutionRef {
  institution_id: string;
  level: string;
}

export interface InstitutionPerformanceOptions extends Partial<RiskAdjustmentOptions> {
  /** Keep per-member outcome and process explanations (memory grows with the population). */
  keepMemberDetail?: boolean;
}

/** An outcome indicator of one institution: the adjusted figures plus the explanations. */
export interface OutcomeIndicatorResult extends InstitutionAdjustedRate {
  indicator: OutcomeIndicatorId;
  /** The rate that moves money: the RSR when published, else null. */
  publishedRate: number | null;
}

export interface ProcessIndicatorResult extends ProcessRate {
  published: boolean;
  unpublishedReason: 'denominator below minimum' | 'no patients' | null;
  publishedRate: number | null;
}

/** One institution's performance for the period: a plain object the P4P statement can consume. */
export interface InstitutionPerformance {
  institutionId: string;
  level: string;
  period: PerformancePeriod;
  attributedMembers: number;
  /** Members whose sign-up points here but who did not count, by reason. */
  notAttributed: Partial<Record<AttributionOutReason, number>>;
  outcomes: Record<OutcomeIndicatorId, OutcomeIndicatorResult>;
  processes: Record<ProcessIndicatorId, ProcessIndicatorResult>;
  /** Distinct attributed members in any published (scored) denominator (DOMAIN.md "Served persons"). */
  servedPersons: number;
  /** Per-member explanations, when `keepMemberDetail`. */
  memberDetail?: { outcomes: OutcomeMember[]; processes: ProcessMeasureMember[] };
}

export interface PerformanceRun {
  period: PerformancePeriod;
  /** Case-mix model per outcome indicator (null when no patient). */
  models: Record<OutcomeIndicatorId, CaseMixModel | null>;
  overallRates: Record<OutcomeIndicatorId, number | null>;
  institutions: InstitutionPerformance[];
  /** Members with no countable sign-up anywhere. */
  unattributed: Partial<Record<AttributionOutReason, number>>;
  /** Sign-ups pointing at institutions not in the list given (reported, not counted). */
  unknownInstitutions: string[];
}

/**
 * Attribute every member, evaluate O1/O2/P1/P2, fit the case-mix models and report each
 * institution in `institutions`.
 */
export function computeInstitutionPerformance(
  records: Iterable<MemberRecord>,
  institutions: readonly InstitutionRef[],
  period: PerformancePeriod,
  policy: Pick<Policy, 'p4p' | 'control' | 'packages'>,
  options: InstitutionPerformanceOptions = {},
): PerformanceRun {
  const codes = processMeasureCodes(policy.packages);
  const known = new Set(institutions.map((i) => i.institution_id));
  const unknown = new Set<string>();
  const outcomeRows: Record<OutcomeIndicatorId, AdjustmentRow[]> = { O1: [], O2: [] };
  const perInstitution = new Map<string, { attributed: number; out: Partial<Record<AttributionOutReason, number>>; outcomes: OutcomeMember[]; processes: ProcessMeasureMember[] }>();
  for (const i of institutions) perInstitution.set(i.institution_id, { attributed: 0, out: {}, outcomes: [], processes: [] });
  const unattributed: Partial<Record<AttributionOutReason, number>> = {};
  const outcomeMembers = new Map<string, Set<string>>();
  const processMembers = new Map<string, Set<string>>();

  for (const record of records) {
    const a = attributeMember(record, period, policy.p4p);
    if (a.institutionId !== null && !known.has(a.institutionId)) {
      unknown.add(a.institutionId);
      continue;
    }
    if (!a.attributed) {
      const bucket = a.institutionId === null ? unattributed : perInstitution.get(a.institutionId)!.out;
      bucket[a.reason] = (bucket[a.reason] ?? 0) + 1;
      continue;
    }
    const inst = perInstitution.get(a.institutionId)!;
    inst.attributed++;
    for (const o of evaluateOutcomes(record, period, policy.control)) {
      outcomeRows[o.indicator].push({ memberId: o.memberId, institutionId: a.institutionId, controlled: o.controlled, caseMix: o.caseMix });
      if (options.keepMemberDetail) inst.outcomes.push(o);
      const key = `${a.institutionId}|${o.indicator}`;
      (outcomeMembers.get(key) ?? outcomeMembers.set(key, new Set()).get(key)!).add(o.memberId);
    }
    for (const pm of evaluateProcessMeasures(record, period, codes)) {
      if (!pm.inDenominator) continue;
      inst.processes.push(pm);
      const key = `${a.institutionId}|${pm.indicator}`;
      (processMembers.get(key) ?? processMembers.set(key, new Set()).get(key)!).add(pm.memberId);
    }
  }

  const ids = institutions.map((i) => i.institution_id);
  const min = policy.p4p.minDenominator;
  const adjusted = {} as Record<OutcomeIndicatorId, ReturnType<typeof adjustIndicator>>;
  OUTCOME_INDICATORS.forEach((indicator, k) => {
    adjusted[indicator] = adjustIndicator(outcomeRows[indicator], CASE_MIX_FEATURES, ids, min, { ...options, seed: `${String(options.seed ?? 1)}:${indicator}:${k}` });
  });

  const result = institutions.map((ref, index): InstitutionPerformance => {
    const inst = perInstitution.get(ref.institution_id)!;
    const outcomes = {} as Record<OutcomeIndicatorId, OutcomeIndicatorResult>;
    for (const indicator of OUTCOME_INDICATORS) {
      const a = adjusted[indicator].institutions[index]!;
      outcomes[indicator] = { ...a, indicator, publishedRate: a.published ? a.riskStandardisedRate : null };
    }
    const rates = processRates(inst.processes);
    const processes = {} as Record<ProcessIndicatorId, ProcessIndicatorResult>;
    for (const [id, r] of Object.entries(rates) as [ProcessIndicatorId, ProcessRate][]) {
      const published = r.denominator >= min;
      processes[id] = { ...r, published, unpublishedReason: r.denominator === 0 ? 'no patients' : published ? null : 'denominator below minimum', publishedRate: published ? r.rate : null };
    }
    // Served persons: distinct members in any scored (published) denominator.
    const served = new Set<string>();
    for (const indicator of OUTCOME_INDICATORS) if (outcomes[indicator].published) for (const m of outcomeMembers.get(`${ref.institution_id}|${indicator}`) ?? []) served.add(m);
    for (const id of Object.keys(processes) as ProcessIndicatorId[]) if (processes[id].published) for (const m of processMembers.get(`${ref.institution_id}|${id}`) ?? []) served.add(m);
    const out: InstitutionPerformance = {
      institutionId: ref.institution_id,
      level: ref.level,
      period,
      attributedMembers: inst.attributed,
      notAttributed: inst.out,
      outcomes,
      processes,
      servedPersons: served.size,
    };
    if (options.keepMemberDetail) out.memberDetail = { outcomes: inst.outcomes, processes: inst.processes };
    return out;
  });

  return {
    period,
    models: { O1: adjusted.O1.model, O2: adjusted.O2.model },
    overallRates: { O1: adjusted.O1.overallRate, O2: adjusted.O2.overallRate },
    institutions: result,
    unattributed,
    unknownInstitutions: [...unknown].sort(),
  };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * The P4P statement's indicator results for an institution: the risk-standardised rate for O1/O2
 * (raw beside it), the raw rate for P1/P2. An indicator with no patients is left out (the
 * statement reports it as "no data"); one under the minimum denominator is passed with its raw
 * rate and its denominator, and the statement leaves it unscored. An RSR above 1 (possible when
 * an excellent institution has an easy case mix) is capped at 1, the top of a rate's scale.
 */
export function toP4PIndicatorResults(perf: InstitutionPerformance): IndicatorResult[] {
  const out: IndicatorResult[] = [];
  for (const indicator of OUTCOME_INDICATORS) {
    const o = perf.outcomes[indicator];
    if (o.denominator === 0 || o.rawRate === null) continue;
    const rate = o.published && o.riskStandardisedRate !== null ? clamp01(o.riskStandardisedRate) : o.rawRate;
    out.push({ id: indicator, rate: rate.toFixed(6), rawRate: o.rawRate.toFixed(6), denominator: o.denominator });
  }
  for (const id of Object.keys(perf.processes) as ProcessIndicatorId[]) {
    const p = perf.processes[id];
    if (p.rate === null) continue;
    out.push({ id, rate: p.rate.toFixed(6), rawRate: p.rate.toFixed(6), denominator: p.denominator });
  }
  return out;
}

/** The P4P statement input for an institution; the money and cost figures come from settlement. */
export function toP4PInstitutionInput(
  perf: InstitutionPerformance,
  money: { capitationPayment: DecimalInput; previousComposite: DecimalInput | null; costPerMemberYear: number },
): P4PInstitutionInput {
  return {
    institutionId: perf.institutionId,
    level: perf.level,
    indicators: toP4PIndicatorResults(perf),
    servedPersons: perf.servedPersons,
    capitationPayment: money.capitationPayment,
    previousComposite: money.previousComposite,
    costPerMemberYear: money.costPerMemberYear,
  };
}
