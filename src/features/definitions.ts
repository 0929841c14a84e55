/**
 * The feature definitions of every model, one per task, computed from a record cut at the index
 * date. Training builds its tables with these functions and serving scores with the same ones:
 * there is no second definition to drift (no training/serving skew).
 *
 * Missing values are NaN: every learner handles them, and "not measured" stays distinguishable
 * from a measured normal value.
 */
import { createHash } from 'node:crypto';
import type { Encounter } from '../../data-contracts/v1/index.ts';
import type { Policy } from '../config/policy.ts';
import { CHRONIC_CONDITIONS } from '../clinical/conditions.ts';
import { summarise, type ClinicalSummary } from './clinical-summary.ts';
import { recordAsOf, type MemberRecord } from './member-record.ts';
import { addDays, daysBetween } from '../lib/dates.ts';
import { dayOf } from '../performance/control.ts';

export interface FeatureSpec {
  name: string;
  description: string;
}

export interface FeatureSet<Index> {
  /** Model family this set feeds, e.g. `readmission`, `onset-diabetes`. */
  task: string;
  version: string;
  features: readonly FeatureSpec[];
  /** The day features are cut at (exclusive) for an index event. */
  indexDay(index: Index): string;
  /** Feature vector for one index event; NaN = missing. */
  compute(record: MemberRecord, index: Index, policy: FeaturePolicy): Float64Array;
}

export type FeaturePolicy = Pick<Policy, 'control' | 'classTable'>;

const yes = (b: boolean | null | undefined) => (b == null ? Number.NaN : b ? 1 : 0);
const num = (v: number | null | undefined) => (v == null ? Number.NaN : v);
const controlCode = (s: 'controlled' | 'uncontrolled' | 'unknown') => (s === 'unknown' ? Number.NaN : s === 'uncontrolled' ? 1 : 0);

/** Features every model shares, from the clinical summary. */
const COMMON: readonly (FeatureSpec & { get: (s: ClinicalSummary) => number })[] = [
  { name: 'age', description: 'age in years at the index date', get: (s) => s.age },
  { name: 'male', description: 'male', get: (s) => (s.sex === 'M' ? 1 : 0) },
  ...CHRONIC_CONDITIONS.map((c) => ({ name: `has_${c.replace('-', '_')}`, description: `diagnosed ${c}`, get: (s: ClinicalSummary) => (s.chronic.has(c) ? 1 : 0) })),
  { name: 'n_chronic', description: 'number of chronic conditions', get: (s) => s.chronic.size },
  { name: 'n_complications', description: 'number of complications recorded', get: (s) => s.complications.size },
  { name: 'prediabetes', description: 'pre-diabetes diagnosed', get: (s) => (s.markers.has('prediabetes') ? 1 : 0) },
  { name: 'elevated_bp_dx', description: 'elevated blood pressure diagnosed', get: (s) => (s.markers.has('elevated-bp') ? 1 : 0) },
  { name: 'admissions_12m', description: 'inpatient stays in the last 12 months', get: (s) => s.admissions },
  { name: 'ed_visits_6m', description: 'ED visits in the last 6 months', get: (s) => s.edVisits6m },
  { name: 'outpatient_visits_12m', description: 'outpatient and home visits in the last 12 months', get: (s) => s.outpatientVisits12m },
  { name: 'systolic', description: 'latest systolic BP (mmHg)', get: (s) => num(s.latest.systolic) },
  { name: 'diastolic', description: 'latest diastolic BP (mmHg)', get: (s) => num(s.latest.diastolic) },
  { name: 'hba1c', description: 'latest HbA1c (%)', get: (s) => num(s.latest.hba1cPct) },
  { name: 'fasting_glucose', description: 'latest fasting glucose (mmol/L)', get: (s) => num(s.latest.fastingGlucoseMmol) },
  { name: 'bmi', description: 'latest BMI (kg/m2)', get: (s) => num(s.latest.bmi) },
  { name: 'ldl', description: 'latest LDL cholesterol (mmol/L)', get: (s) => num(s.latest.ldl) },
  { name: 'egfr', description: 'latest eGFR', get: (s) => num(s.latest.egfr) },
  { name: 'glycaemia_uncontrolled', description: 'HbA1c at or above target at the latest test (12 months)', get: (s) => controlCode(s.glycaemic.status) },
  { name: 'bp_uncontrolled', description: 'blood pressure at or above target at the latest reading (12 months)', get: (s) => controlCode(s.bloodPressure.status) },
  { name: 'smoker', description: 'current smoker', get: (s) => yes(s.smoker) },
  { name: 'family_history_hypertension', description: 'family history of hypertension', get: (s) => yes(s.familyHistory.hypertension) },
  { name: 'family_history_diabetes', description: 'family history of diabetes', get: (s) => yes(s.familyHistory.diabetes) },
  { name: 'family_history_chd', description: 'family history of CHD', get: (s) => yes(s.familyHistory.chd) },
  { name: 'low_activity', description: 'physically inactive', get: (s) => (s.activity === null ? Number.NaN : s.activity === 'low' ? 1 : 0) },
  { name: 'active_medications', description: 'distinct medications active in the last 90 days', get: (s) => s.activeMedications },
  { name: 'on_insulin', description: 'on insulin', get: (s) => (s.onInsulin ? 1 : 0) },
];

const DISPOSITIONS = ['home', 'home-health', 'skilled-nursing', 'transfer-acute', 'left-against-advice'] as const;

/** The discharge a readmission prediction is made at. */
export interface DischargeIndex {
  encounter: Encounter;
}

export const readmissionFeatures: FeatureSet<DischargeIndex> = {
  task: 'readmission',
  version: '1',
  features: [
    ...COMMON,
    { name: 'length_of_stay', description: 'days in hospital for this stay' },
    { name: 'planned_admission', description: 'this stay was planned' },
    ...DISPOSITIONS.map((d) => ({ name: `discharged_${d.replace(/-/g, '_')}`, description: `discharged to ${d}` })),
    { name: 'days_since_previous_discharge', description: 'days from the previous discharge to this admission' },
    { name: 'secondary_facility', description: 'treated at a secondary or tertiary facility' },
  ],
  // Everything known at discharge: cut at the day after the discharge day.
  indexDay: (i) => addDays(dayOf(i.encounter.end_time!), 1),
  compute(record, index, policy) {
    const e = index.encounter;
    if (e.class !== 'inpatient' || e.end_time === null) throw new Error('readmission features need a finished inpatient stay');
    const cut = recordAsOf(record, this.indexDay(index));
    // The stay itself must not count as a prior admission or as the previous discharge.
    const before = { ...cut, encounters: cut.encounters.filter((x) => x.encounter_id !== e.encounter_id) } as typeof cut;
    const s = summarise(before, policy);
    const admitDay = e.start_time.slice(0, 10);
    const dischargeDay = e.end_time.slice(0, 10);
    const v = COMMON.map((f) => f.get(s));
    v.push(Math.max(0, daysBetween(admitDay, dischargeDay)), e.planned ? 1 : 0);
    for (const d of DISPOSITIONS) v.push(e.discharge_disposition === d ? 1 : 0);
    v.push(s.lastDischarge && s.lastDischarge.day <= admitDay ? daysBetween(s.lastDischarge.day, admitDay) : Number.NaN);
    v.push(e.facility_level === 'secondary' || e.facility_level === 'tertiary' ? 1 : 0);
    return Float64Array.from(v);
  },
};

/**
 * The shared features of a record cut at a day. The three onset models score the same member at
 * the same day, so the cut and the clinical summary are computed once and reused (keyed by the
 * record object, which nothing mutates while it is scored).
 */
const commonCache = new WeakMap<MemberRecord, { day: string; policy: FeaturePolicy; values: readonly number[] }>();
function commonFeaturesAt(record: MemberRecord, day: string, policy: FeaturePolicy): readonly number[] {
  const hit = commonCache.get(record);
  if (hit && hit.day === day && hit.policy === policy) return hit.values;
  const s = summarise(recordAsOf(record, day), policy);
  const values = COMMON.map((f) => f.get(s));
  commonCache.set(record, { day, policy, values });
  return values;
}

export type OnsetCondition = 'hypertension' | 'diabetes' | 'chd';
export interface OnsetIndex {
  indexDay: string;
}

/** Onset features: the shared set; the member must be free of the condition at the index date. */
export function onsetFeatures(condition: OnsetCondition): FeatureSet<OnsetIndex> {
  return {
    task: `onset-${condition}`,
    version: '1',
    features: [...COMMON, { name: 'scheme_employee', description: 'insured under the employees scheme (UEBMI)' }],
    indexDay: (i) => i.indexDay,
    compute(record, index, policy) {
      return onsetVector(record, commonFeaturesAt(record, index.indexDay, policy));
    },
  };
}

/** The onset feature vector (the same for every onset task): the shared features, then the scheme. */
function onsetVector(record: MemberRecord, common: readonly number[]): Float64Array {
  const v = new Float64Array(common.length + 1);
  v.set(common);
  v[common.length] = record.member.insurance_scheme === 'UEBMI' ? 1 : 0;
  return v;
}

/**
 * Onset features from a clinical summary the caller already made of the record cut at the index
 * day (serving summarises the member at the as-of date for the risk class anyway): the same
 * vector `onsetFeatures(c).compute(record, { indexDay }, policy)` gives, without a second cut.
 */
export function onsetFeaturesFromSummary(record: MemberRecord, summary: ClinicalSummary): Float64Array {
  return onsetVector(record, COMMON.map((f) => f.get(summary)));
}

/** A fingerprint of a feature set's schema: artifacts record it, serving refuses a mismatch. */
export function featureSchemaHash(set: Pick<FeatureSet<unknown>, 'task' | 'version' | 'features'>): string {
  const text = JSON.stringify({ task: set.task, version: set.version, features: set.features.map((f) => f.name) });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
