/**
 * A member's clinical picture as of a date: conditions, complications, admissions, control and
 * latest readings. Read by the risk classes and by the model features, so both speak of the same
 * facts. Pure.
 */
import { LOINC } from '../../data-contracts/v1/index.ts';
import type { Policy } from '../config/policy.ts';
import { groupsOf, isChronic, isComplication, type ChronicCondition, type Complication, type ConditionGroup } from '../clinical/conditions.ts';
import { addMonths, bloodPressureStatusAsOf, glycaemicStatusAsOf, type BloodPressureStatus, type GlycaemicStatus } from '../performance/control.ts';
import { ageOn, type RecordAsOf } from './member-record.ts';
import { addDays } from '../lib/dates.ts';

export interface ClinicalSummary {
  asOf: string;
  age: number;
  sex: 'M' | 'F' | 'O' | 'U';
  chronic: Set<ChronicCondition>;
  complications: Set<Complication>;
  markers: Set<ConditionGroup>;
  /** Earliest onset per chronic condition (disease duration). */
  firstOnset: Map<ChronicCondition, string>;
  /** Inpatient stays starting in the admission look-back window. */
  admissions: number;
  /** The last finished inpatient stay, if any. */
  lastDischarge: { encounterId: string; day: string } | null;
  edVisits6m: number;
  outpatientVisits12m: number;
  glycaemic: GlycaemicStatus;
  bloodPressure: BloodPressureStatus;
  latest: { systolic: number | null; diastolic: number | null; hba1cPct: number | null; fastingGlucoseMmol: number | null; bmi: number | null; ldl: number | null; egfr: number | null };
  smoker: boolean | null;
  familyHistory: { hypertension: boolean | null; diabetes: boolean | null; chd: boolean | null };
  activity: 'low' | 'moderate' | 'high' | null;
  /** Distinct medications started in the last 90 days. */
  activeMedications: number;
  onInsulin: boolean;
}

const ACTIVE_CONDITION = new Set(['active', 'recurrence', 'relapse', null]);
const REFUTED = new Set(['refuted', 'entered-in-error']);

/** The latest numeric value of a LOINC code (any setting), or null. */
function latestValue(record: RecordAsOf, code: string): number | null {
  let best: { t: string; v: number } | null = null;
  for (const o of record.observations) {
    if (o.code_system !== 'LOINC' || o.code !== code || o.value === null || o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    if (!best || o.effective_time > best.t) best = { t: o.effective_time, v: o.value };
  }
  return best ? best.v : null;
}

export function summarise(record: RecordAsOf, policy: Pick<Policy, 'control' | 'classTable'>): ClinicalSummary {
  const asOf = record.asOf;
  const chronic = new Set<ChronicCondition>();
  const complications = new Set<Complication>();
  const markers = new Set<ConditionGroup>();
  const firstOnset = new Map<ChronicCondition, string>();
  for (const c of record.conditions) {
    if (c.verification_status !== null && REFUTED.has(c.verification_status)) continue;
    if (c.abatement_date !== null || !ACTIVE_CONDITION.has(c.clinical_status)) continue;
    for (const g of groupsOf(c.code_system, c.code)) {
      if (isChronic(g)) {
        chronic.add(g);
        const prev = firstOnset.get(g);
        if (!prev || c.onset_date < prev) firstOnset.set(g, c.onset_date);
      }
      if (isComplication(g)) complications.add(g);
      if (!isChronic(g) && !isComplication(g)) markers.add(g);
    }
  }
  const admissionsFrom = addMonths(asOf, -policy.classTable.admissionLookbackMonths);
  const sixMonths = addMonths(asOf, -6);
  const twelveMonths = addMonths(asOf, -12);
  let admissions = 0;
  let edVisits6m = 0;
  let outpatientVisits12m = 0;
  let lastDischarge: ClinicalSummary['lastDischarge'] = null;
  for (const e of record.encounters) {
    // Only stays and visits that happened: planned or cancelled ones never raise a class.
    if (e.status !== 'finished' && e.status !== 'in-progress') continue;
    const start = e.start_time.slice(0, 10);
    if (e.class === 'inpatient') {
      if (start >= admissionsFrom) admissions++;
      if (e.end_time !== null && e.status === 'finished') {
        const end = e.end_time.slice(0, 10);
        if (!lastDischarge || end > lastDischarge.day) lastDischarge = { encounterId: e.encounter_id, day: end };
      }
    } else if (e.class === 'ed' && start >= sixMonths) edVisits6m++;
    else if ((e.class === 'outpatient' || e.class === 'home') && start >= twelveMonths) outpatientVisits12m++;
  }
  const recentLifestyle = [...record.lifestyle].sort((a, b) => (a.recorded_date < b.recorded_date ? 1 : -1))[0];
  const ninetyDays = addDays(asOf, -90);
  const activeCodes = new Set<string>();
  let onInsulin = false;
  for (const m of record.medications) {
    if (m.status === 'cancelled' || m.status === 'entered-in-error') continue;
    const end = addDays(m.start_date, m.days_supplied);
    if (end >= ninetyDays) {
      activeCodes.add(m.code);
      if (m.code_system === 'ATC' && m.code.startsWith('A10A')) onInsulin = true;
    }
  }
  return {
    asOf,
    age: ageOn(record.member.birth_date, asOf),
    sex: record.member.sex,
    chronic,
    complications,
    markers,
    firstOnset,
    admissions,
    lastDischarge,
    edVisits6m,
    outpatientVisits12m,
    glycaemic: glycaemicStatusAsOf(record.observations, asOf, policy.control),
    bloodPressure: bloodPressureStatusAsOf(record.observations, asOf, policy.control),
    latest: {
      systolic: latestValue(record, LOINC.systolic),
      diastolic: latestValue(record, LOINC.diastolic),
      hba1cPct: latestValue(record, LOINC.hba1c),
      fastingGlucoseMmol: latestValue(record, LOINC.fastingGlucose),
      bmi: latestValue(record, LOINC.bmi),
      ldl: latestValue(record, LOINC.ldl),
      egfr: latestValue(record, LOINC.egfr),
    },
    smoker: recentLifestyle?.smoking == null ? null : recentLifestyle.smoking === 'current',
    familyHistory: {
      hypertension: recentLifestyle?.family_history_hypertension ?? null,
      diabetes: recentLifestyle?.family_history_diabetes ?? null,
      chd: recentLifestyle?.family_history_chd ?? null,
    },
    activity: recentLifestyle?.physical_activity ?? null,
    activeMedications: activeCodes.size,
    onInsulin,
  };
}
