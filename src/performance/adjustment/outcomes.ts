/**
 * The bureau's outcome indicators per member (DOMAIN.md "The P4P formula"): O1 HbA1c < 7.0%
 * among diabetics, O2 BP < 140/90 among hypertensives, judged by the ONE control definition
 * (src/performance/control.ts) on the readings inside the period; no reading in the period =
 * not controlled (DOMAIN.md: "missing" is never counted as control in a rate that moves money,
 * as HEDIS counts missing as poor control). Beside the outcome, the member's case mix measured
 * BEFORE the period starts, the input of the risk adjustment (risk-adjustment.ts).
 *
 * Populations, in order (STYLE.md rule 9): denominator = attributed members with the condition in
 * the period; no exclusions; numerator = representative reading in the period controlled.
 * Pure: no I/O.
 */
import type { Policy } from '../../config/policy.ts';
import type { ChronicCondition } from '../../clinical/conditions.ts';
import type { MemberRecord } from '../../features/member-record.ts';
import { ageOn } from '../../features/member-record.ts';
import type { PerformancePeriod } from '../attribution.ts';
import type { DayWindow } from '../control.ts';
import { bloodPressureStatus, glycaemicStatus, policyBloodPressureTarget, policyGlycaemicTarget, policyWindow } from '../control.ts';
import { burdenBefore, conditionOnset } from './populations.ts';

export const OUTCOME_INDICATORS = ['O1', 'O2'] as const;
export type OutcomeIndicatorId = (typeof OUTCOME_INDICATORS)[number];

/** The population condition of each outcome indicator. */
export const OUTCOME_CONDITION: Record<OutcomeIndicatorId, ChronicCondition> = { O1: 'diabetes', O2: 'hypertension' };

/**
 * Case-mix covariates, in model column order (intercept first). Scaled so coefficients are per
 * clinically sized step: age per 10 years from 60; duration per 10 years (capped at 20 years);
 * prior value per 1% HbA1c above 7.0 (O1) or per 10 mmHg systolic above 140 (O2); a missing prior
 * reading sets `prior_missing` and a prior value of 0 (the threshold), the missing-indicator method.
 */
export const CASE_MIX_FEATURES = [
  'intercept',
  'age_per10_from60',
  'male',
  'duration_per10y',
  'newly_diagnosed',
  'comorbidity_count',
  'prior_value',
  'prior_missing',
  'scheme_uebmi',
] as const;
export type CaseMixFeature = (typeof CASE_MIX_FEATURES)[number];

/** One member's outcome for one indicator, with the evidence and the case mix. */
export interface OutcomeMember {
  memberId: string;
  indicator: OutcomeIndicatorId;
  controlled: boolean;
  /** e.g. "controlled: HbA1c 6.4 on 2026-05-02" or "not controlled: no reading in the period". */
  explanation: string;
  readingIds: string[];
  /** Values in CASE_MIX_FEATURES order. */
  caseMix: number[];
}

const DAY_MS = 86_400_000;
const yearsBetween = (from: string, to: string) => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS / 365.25;

function caseMix(record: MemberRecord, indicator: OutcomeIndicatorId, period: PerformancePeriod, control: Policy['control'], onset: string): number[] {
  const start = period.startDay;
  const age = ageOn(record.member.birth_date, start);
  const newly = onset >= start;
  const duration = newly ? 0 : Math.min(20, yearsBetween(onset, start));
  const burden = burdenBefore(record.conditions, start);
  const own = OUTCOME_CONDITION[indicator];
  const comorbidities = [...burden.chronic].filter((c) => c !== own).length + burden.complications.filter((c) => c !== own).length;
  // Prior-year control value: the policy's look-back window before the period (control.ts).
  const prior = policyWindow(start, control);
  let priorValue: number | null;
  if (indicator === 'O1') {
    const g = glycaemicStatus(record.observations, prior, policyGlycaemicTarget(control));
    priorValue = g.value === null ? null : g.value - control.hba1cUncontrolledPct;
  } else {
    const b = bloodPressureStatus(record.observations, prior, policyBloodPressureTarget(control), notInpatientOrEd);
    priorValue = b.systolic === null ? null : (b.systolic - control.systolicUncontrolled) / 10;
  }
  return [
    1,
    (age - 60) / 10,
    record.member.sex === 'M' ? 1 : 0,
    duration / 10,
    newly ? 1 : 0,
    comorbidities,
    priorValue ?? 0,
    priorValue === null ? 1 : 0,
    record.member.insurance_scheme === 'UEBMI' ? 1 : 0,
  ];
}

/** CMS165 and the policy never count readings taken inpatient or in the ED. */
const notInpatientOrEd = (o: { setting: string }) => o.setting === 'inpatient' || o.setting === 'ed';

/**
 * O1 and O2 for one attributed member: an entry per indicator whose denominator the member is in
 * (none when the member has neither condition in the period).
 */
export function evaluateOutcomes(record: MemberRecord, period: PerformancePeriod, control: Policy['control']): OutcomeMember[] {
  const memberId = record.member.member_id;
  const window: DayWindow = { fromDay: period.startDay, toDay: period.endDay };
  const out: OutcomeMember[] = [];
  for (const indicator of OUTCOME_INDICATORS) {
    const onset = conditionOnset(record.conditions, OUTCOME_CONDITION[indicator], period.startDay, period.endDay);
    if (onset === null) continue;
    let controlled: boolean;
    let explanation: string;
    let readingIds: string[];
    if (indicator === 'O1') {
      const g = glycaemicStatus(record.observations, window, policyGlycaemicTarget(control));
      controlled = g.status === 'controlled';
      readingIds = g.readingIds;
      explanation =
        g.date === null ? 'not controlled: no HbA1c reading in the period' : `${controlled ? 'controlled' : 'not controlled'}: HbA1c ${g.value === null ? 'without a result' : g.value.toFixed(1) + '%'} on ${g.date}`;
    } else {
      const b = bloodPressureStatus(record.observations, window, policyBloodPressureTarget(control), notInpatientOrEd);
      controlled = b.status === 'controlled';
      readingIds = b.readingIds;
      explanation =
        b.date === null ? 'not controlled: no blood-pressure reading in the period' : `${controlled ? 'controlled' : 'not controlled'}: BP ${b.systolic ?? '?'}/${b.diastolic ?? '?'} on ${b.date}`;
    }
    out.push({ memberId, indicator, controlled, explanation, readingIds, caseMix: caseMix(record, indicator, period, control, onset) });
  }
  return out;
}
