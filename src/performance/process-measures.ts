/**
 * The bureau's process indicators for diabetics (DOMAIN.md "The P4P formula": P1 annual fundus
 * exam, P2 annual foot exam; "Complication screening for diabetes: at least one fundus (eye) exam
 * and one foot exam a year"). The procedure codes are NOT written here: they are the codes of the
 * management-package services `fundus-exam` and `foot-exam` in the policy (src/config/policy.ts
 * `packages.services`), so the care-gap lists and the P4P rates recognise the same exams.
 *
 * Populations, in order (STYLE.md rule 9):
 * - initial population / denominator: attributed members with diabetes in the period;
 * - exclusions: none defined by the bureau;
 * - numerator: a completed procedure with one of the service's codes performed in the period.
 * Zero denominator: the rate is null (never 0 or 1).
 * Pure: no I/O.
 */
import type { Procedure } from '../../data-contracts/v1/index.ts';
import type { Policy } from '../config/policy.ts';
import type { MemberRecord } from '../features/member-record.ts';
import { hasConditionInPeriod } from './adjustment/populations.ts';
import type { PerformancePeriod } from './attribution.ts';
import { dayOf } from './control.ts';

/** The process indicators and the package service whose codes define each. */
export const PROCESS_INDICATORS = {
  P1: { serviceId: 'fundus-exam', label: 'Annual fundus (eye) exam' },
  P2: { serviceId: 'foot-exam', label: 'Annual foot exam' },
} as const;
export type ProcessIndicatorId = keyof typeof PROCESS_INDICATORS;

/** A process indicator's service is missing from the policy, so no exam could be recognised. */
export class ProcessMeasureError extends Error {
  constructor(
    readonly code: 'SERVICE_NOT_CONFIGURED',
    message: string,
  ) {
    super(message);
    this.name = 'ProcessMeasureError';
  }
}

/** `SYSTEM|code` keys of the procedures that satisfy each process indicator, from the policy's package services. */
export function processMeasureCodes(packages: Policy['packages']): Record<ProcessIndicatorId, ReadonlySet<string>> {
  const out = {} as Record<ProcessIndicatorId, ReadonlySet<string>>;
  for (const [id, def] of Object.entries(PROCESS_INDICATORS) as [ProcessIndicatorId, (typeof PROCESS_INDICATORS)[ProcessIndicatorId]][]) {
    const codes = new Set<string>();
    for (const services of Object.values(packages.services))
      for (const s of services) if (s.id === def.serviceId) for (const m of s.matches) if (m.entity === 'procedure') for (const c of m.codes ?? []) codes.add(c);
    if (codes.size === 0) throw new ProcessMeasureError('SERVICE_NOT_CONFIGURED', `process indicator ${id}: no procedure codes for package service "${def.serviceId}" in the policy`);
    out[id] = codes;
  }
  return out;
}

/** One member's result for one process indicator, with the evidence. */
export interface ProcessMeasureMember {
  memberId: string;
  indicator: ProcessIndicatorId;
  inDenominator: boolean;
  inNumerator: boolean;
  /** Why the member is in or out, e.g. "numerator: CPT|92250 on 2026-03-04 (procedure P1-7)". */
  explanation: string;
  /** The qualifying procedure (the earliest in the period), when any. */
  procedureId: string | null;
}

/** Procedure statuses that count as performed (QI-Core Status library: completed). */
const PERFORMED: ReadonlySet<Procedure['status']> = new Set(['completed']);

/**
 * Evaluate P1 and P2 for one member who is already attributed to an institution for the period
 * (attribution.ts decides that; this decides the indicator populations).
 */
export function evaluateProcessMeasures(record: MemberRecord, period: PerformancePeriod, codes: Record<ProcessIndicatorId, ReadonlySet<string>>): ProcessMeasureMember[] {
  const memberId = record.member.member_id;
  const diabetic = hasConditionInPeriod(record.conditions, 'diabetes', period);
  return (Object.keys(PROCESS_INDICATORS) as ProcessIndicatorId[]).map((indicator) => {
    if (!diabetic) return { memberId, indicator, inDenominator: false, inNumerator: false, explanation: 'not in denominator: no diabetes diagnosis in the period', procedureId: null };
    let best: { p: Procedure; day: string } | null = null;
    for (const p of record.procedures) {
      if (!PERFORMED.has(p.status) || !codes[indicator].has(`${p.code_system}|${p.code}`)) continue;
      const day = dayOf(p.performed_start);
      if (day < period.startDay || day > period.endDay) continue;
      if (best === null || day < best.day) best = { p, day };
    }
    if (best === null)
      return { memberId, indicator, inDenominator: true, inNumerator: false, explanation: `denominator only: no completed ${PROCESS_INDICATORS[indicator].label.toLowerCase()} in ${period.startDay}..${period.endDay}`, procedureId: null };
    return {
      memberId,
      indicator,
      inDenominator: true,
      inNumerator: true,
      explanation: `numerator: ${best.p.code_system}|${best.p.code} on ${best.day} (procedure ${best.p.procedure_id})`,
      procedureId: best.p.procedure_id,
    };
  });
}

/** An institution's process rate. */
export interface ProcessRate {
  indicator: ProcessIndicatorId;
  numerator: number;
  denominator: number;
  /** numerator / denominator; null when the denominator is zero. */
  rate: number | null;
}

/** Add up members' results into one rate per indicator. */
export function processRates(results: Iterable<ProcessMeasureMember>): Record<ProcessIndicatorId, ProcessRate> {
  const out = {
    P1: { indicator: 'P1', numerator: 0, denominator: 0, rate: null },
    P2: { indicator: 'P2', numerator: 0, denominator: 0, rate: null },
  } as Record<ProcessIndicatorId, ProcessRate>;
  for (const r of results) {
    if (!r.inDenominator) continue;
    const rate = out[r.indicator];
    rate.denominator++;
    if (r.inNumerator) rate.numerator++;
  }
  for (const rate of Object.values(out)) rate.rate = rate.denominator === 0 ? null : rate.numerator / rate.denominator;
  return out;
}
