/**
 * Who is in the bureau's indicator populations (DOMAIN.md "The P4P formula": O1 and P1/P2 among
 * diabetics, O2 among hypertensives). A member has a condition in a period when a verified,
 * non-resolved diagnosis of it (ICD-10 groups of src/clinical/conditions.ts) began on or before
 * the period's last day and did not abate before its first day. Pure: no I/O.
 */
import type { Condition } from '../../../data-contracts/v1/index.ts';
import type { ChronicCondition, Complication } from '../../clinical/conditions.ts';
import { countedComplications, groupsOf, isChronic, isComplication } from '../../clinical/conditions.ts';
import type { PerformancePeriod } from '../attribution.ts';

/** Verification statuses that do not count (QICoreCommon verified()). */
const UNVERIFIED = new Set(['refuted', 'entered-in-error']);
/** Clinical statuses meaning the condition is no longer present. */
const ENDED = new Set(['inactive', 'resolved', 'remission']);

function counts(c: Condition): boolean {
  return (c.verification_status === null || !UNVERIFIED.has(c.verification_status)) && (c.clinical_status === null || !ENDED.has(c.clinical_status));
}

/** Earliest onset of a verified diagnosis in `group` overlapping [fromDay, toDay]; null when none. */
export function conditionOnset(conditions: readonly Condition[], group: ChronicCondition | Complication, fromDay: string, toDay: string): string | null {
  let first: string | null = null;
  for (const c of conditions) {
    if (!counts(c) || c.onset_date > toDay || (c.abatement_date !== null && c.abatement_date < fromDay)) continue;
    if (!groupsOf(c.code_system, c.code).includes(group)) continue;
    if (first === null || c.onset_date < first) first = c.onset_date;
  }
  return first;
}

/** Whether the member has the condition at any time in the period. */
export function hasConditionInPeriod(conditions: readonly Condition[], group: ChronicCondition, period: PerformancePeriod): boolean {
  return conditionOnset(conditions, group, period.startDay, period.endDay) !== null;
}

/**
 * Chronic conditions and counted complications diagnosed before `asOf` (exclusive) and not
 * abated by then: the comorbidity burden used as case mix (DOMAIN.md class table lists).
 */
export function burdenBefore(conditions: readonly Condition[], asOf: string): { chronic: Set<ChronicCondition>; complications: Complication[] } {
  const chronic = new Set<ChronicCondition>();
  const present = new Set<Complication>();
  for (const c of conditions) {
    if (!counts(c) || c.onset_date >= asOf || (c.abatement_date !== null && c.abatement_date < asOf)) continue;
    for (const g of groupsOf(c.code_system, c.code)) {
      if (isChronic(g)) chronic.add(g);
      if (isComplication(g)) present.add(g);
    }
  }
  return { chronic, complications: countedComplications(chronic, present) };
}
