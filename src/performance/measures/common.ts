/**
 * Shared eCQM building blocks for CMS122 and CMS165 (QI-Core 6.0.0 libraries Status, Hospice,
 * PalliativeCare, AdvancedIllnessandFrailty as used by CMS122FHIR/CMS165FHIR v0.5.000; logic in
 * words: shared/MEASURES.md). Pure functions over contract records; days are UTC `YYYY-MM-DD`.
 */
import type { Condition, Encounter, Observation, Procedure } from '../../../data-contracts/v1/index.ts';
import { LOINC } from '../../../data-contracts/v1/index.ts';
import { addMonths, dayOf, dayOnOrAfter, dayOnOrBefore, isCountedResult } from '../control.ts';
import type { PatientRecords, ValueSetLookup } from './patient-records.ts';

/** Population names as the MADiE/fqm-execution reports spell them. */
export const POPULATIONS = ['initial-population', 'denominator', 'denominator-exclusion', 'numerator'] as const;
export type PopulationName = (typeof POPULATIONS)[number];
export type PopulationMembership = Record<PopulationName, 0 | 1>;

/**
 * `narrative` (default) follows the measure's human-readable specification; `computable` copies
 * the published CQL where the two differ (MEASURES.md: CMS165 BP readings outside the MP, CMS122
 * diabetes held only on the problem list).
 */
export type MeasureMode = 'narrative' | 'computable';

/** One patient's result: which populations, and every rule that put them in or out. */
export interface MeasureResult {
  patientId: string;
  populations: PopulationMembership;
  /** `code: detail` strings, in evaluation order; the code says which rule decided. */
  reasons: string[];
}

/** Typed fatal error of the measure engine (a problem with the measure set-up, not with a patient). */
export class MeasureError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value set the measure needs is not in the lookup: every patient would be wrong, so stop. */
export class MissingValueSetError extends MeasureError {
  constructor(measure: string, oid: string, name: string) {
    super('MISSING_VALUE_SET', `${measure}: value set ${name} (${oid}) is not loaded`);
  }
}

export interface MeasurementPeriod {
  year: number;
  startDay: string;
  endDay: string;
  /** Last day of the MP's first six months (CMS165 hypertension window, half-open at +6 months). */
  firstHalfEndDay: string;
  /** First day of the year before the MP (advanced illness / dementia medication look-back). */
  yearBeforeStartDay: string;
}

/** The calendar-year measurement period (eCQM "Measurement Period" parameter). */
export function measurementPeriod(year: number): MeasurementPeriod {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new MeasureError('BAD_PERIOD', `measurement period year must be a 4-digit year (got ${year})`);
  return { year, startDay: `${year}-01-01`, endDay: `${year}-12-31`, firstHalfEndDay: `${year}-06-30`, yearBeforeStartDay: `${year - 1}-01-01` };
}

/** `day` + `months` calendar months + `plusDays` days. */
export function addMonthsToDay(day: string, months: number, plusDays = 0): string {
  const shifted = addMonths(day, months);
  return plusDays === 0 ? shifted : new Date(Date.parse(`${shifted}T00:00:00Z`) + plusDays * 86_400_000).toISOString().slice(0, 10);
}

/** The 4-digit year of a `YYYY-MM-DD` day, read without building substrings. */
const yearOf = (day: string): number => (day.charCodeAt(0) - 48) * 1000 + (day.charCodeAt(1) - 48) * 100 + (day.charCodeAt(2) - 48) * 10 + (day.charCodeAt(3) - 48);

/** CQL AgeInYearsAt(date): whole years completed on `day`. */
export function ageAt(birthDate: string, day: string): number {
  let age = yearOf(day) - yearOf(birthDate);
  // Birthday not reached yet in `day`'s year: compare `MM-DD` (same positions in both strings).
  for (let i = 5; i < 10; i++) {
    const d = day.charCodeAt(i) - birthDate.charCodeAt(i);
    if (d !== 0) {
      if (d < 0) age -= 1;
      break;
    }
  }
  return age;
}

export const keyOf = (system: string, code: string): string => `${system}|${code}`;

/**
 * A compiled value set: code system -> codes. Membership is asked with the record's own system and
 * code strings, so the hot loops build no `system|code` key per record (measured: building that
 * string for every encounter, condition and observation was the largest single cost of the
 * measures over a million patients).
 */
export class CodeSet {
  private readonly bySystem = new Map<string, Set<string>>();
  private count = 0;

  /** From `system|code` keys (the value-set lookup's form; code systems never contain `|`). */
  constructor(keys: Iterable<string> = []) {
    for (const k of keys) this.add(k);
  }

  /** Add one `system|code` key. */
  add(key: string): this {
    const bar = key.indexOf('|');
    // A key without a system can match no record (records always have one): nothing to add.
    if (bar < 0) return this;
    const system = key.slice(0, bar);
    const code = key.slice(bar + 1);
    let codes = this.bySystem.get(system);
    if (!codes) this.bySystem.set(system, (codes = new Set()));
    if (!codes.has(code)) {
      codes.add(code);
      this.count++;
    }
    return this;
  }

  /** Add every code of another set. */
  addAll(other: CodeSet): this {
    for (const [system, codes] of other.bySystem) for (const code of codes) this.add(keyOf(system, code));
    return this;
  }

  get size(): number {
    return this.count;
  }

  has(system: string | null, code: string | null): boolean {
    if (system === null || code === null || this.count === 0) return false;
    const codes = this.bySystem.get(system);
    return codes !== undefined && codes.has(code);
  }

  /** A condition, observation, procedure, request or medication: its `code_system` / `code`. */
  hasRecord(r: { code_system: string; code: string }): boolean {
    return this.has(r.code_system, r.code);
  }

  /** An encounter: its `type_system` / `type_code`. */
  hasEncounter(e: Encounter): boolean {
    return this.has(e.type_system, e.type_code);
  }

  /** The `system|code` keys, for reports and tests. */
  *keys(): IterableIterator<string> {
    for (const [system, codes] of this.bySystem) for (const code of codes) yield keyOf(system, code);
  }
}

/** Compile a value set, failing loudly when it is missing. */
export function requireValueSet(lookup: ValueSetLookup, measure: string, oid: string, name: string): CodeSet {
  const vs = lookup.get(oid);
  if (!vs) throw new MissingValueSetError(measure, oid, name);
  return new CodeSet(vs);
}

/** Interval of days [from, to]; overlaps/during are day-precision, as `... day of "Measurement Period"`. */
export interface DayInterval {
  from: string;
  to: string;
}

export const overlaps = (a: DayInterval, fromDay: string, toDay: string): boolean => a.from <= toDay && a.to >= fromDay;

/**
 * Whether the condition's QICoreCommon prevalenceInterval() overlaps [fromDay, toDay], without
 * building the interval (hot path). The interval runs from onset to abatement; it is open-ended
 * when the condition is active/recurrence/relapse with no abatement. A non-active condition with
 * no abatement date has an unknown end in CQL (`Interval[onset, null)`), which can only be shown
 * to overlap a period it starts in: modelled as the single onset day.
 */
export function prevalenceOverlaps(c: Condition, fromDay: string, toDay: string): boolean {
  if (c.onset_date > toDay) return false;
  if (c.abatement_date !== null) return c.abatement_date >= fromDay;
  return (c.clinical_status !== null && ONGOING.has(c.clinical_status)) || c.onset_date >= fromDay;
}

/** Status library isEncounterPerformed: finished. */
export const isPerformed = (e: Encounter): boolean => e.status === 'finished';

/**
 * The first finished encounter from the qualifying value set held wholly inside the MP (both
 * measures' "Qualifying Encounters ... during day of Measurement Period"), or null.
 */
export function qualifyingEncounterIn(encounters: readonly Encounter[], qualifying: CodeSet, mp: Pick<MeasurementPeriod, 'startDay' | 'endDay'>): string | null {
  for (const e of encounters) {
    if (!isPerformed(e) || !qualifying.hasEncounter(e)) continue;
    // encounterDays(e) inside [start, end] of the MP, compared without building day strings.
    if (dayOnOrAfter(e.start_time, mp.startDay) && dayOnOrBefore(e.end_time ?? e.start_time, mp.endDay)) return e.encounter_id;
  }
  return null;
}

export function encounterDays(e: Encounter): DayInterval {
  const from = dayOf(e.start_time);
  return { from, to: e.end_time === null ? from : dayOf(e.end_time) };
}

export function procedureDays(p: Procedure): DayInterval {
  const from = dayOf(p.performed_start);
  return { from, to: p.performed_end === null ? from : dayOf(p.performed_end) };
}

/** An observation's effective interval: effective_start (FHIR effectivePeriod.start) to effective_time (its end). */
export function observationDays(o: Observation): DayInterval {
  const to = dayOf(o.effective_time);
  return { from: o.effective_start === null ? to : dayOf(o.effective_start), to };
}

const VERIFIED = new Set(['confirmed', 'unconfirmed', 'provisional', 'differential']);
/** QICoreCommon verified(): verificationStatus absent or confirmed/unconfirmed/provisional/differential (refuted, entered-in-error out). */
export const isVerified = (c: Condition): boolean => c.verification_status === null || VERIFIED.has(c.verification_status);

const ONGOING = new Set(['active', 'recurrence', 'relapse']);

/** The value-set OIDs the shared exclusion libraries use (CMS122FHIR / CMS165FHIR v0.5.000). */
export const SHARED_VALUE_SETS = {
  encounterInpatient: ['2.16.840.1.113883.3.666.5.307', 'Encounter Inpatient'],
  hospiceEncounter: ['2.16.840.1.113883.3.464.1003.1003', 'Hospice Encounter'],
  hospiceCareAmbulatory: ['2.16.840.1.113883.3.526.3.1584', 'Hospice Care Ambulatory'],
  hospiceDiagnosis: ['2.16.840.1.113883.3.464.1003.1165', 'Hospice Diagnosis'],
  palliativeDiagnosis: ['2.16.840.1.113883.3.464.1003.1167', 'Palliative Care Diagnosis'],
  palliativeEncounter: ['2.16.840.1.113883.3.464.1003.101.12.1090', 'Palliative Care Encounter'],
  palliativeIntervention: ['2.16.840.1.113883.3.464.1003.198.12.1135', 'Palliative Care Intervention'],
  frailtyDevice: ['2.16.840.1.113883.3.464.1003.118.12.1300', 'Frailty Device'],
  frailtyDiagnosis: ['2.16.840.1.113883.3.464.1003.113.12.1074', 'Frailty Diagnosis'],
  frailtyEncounter: ['2.16.840.1.113883.3.464.1003.101.12.1088', 'Frailty Encounter'],
  frailtySymptom: ['2.16.840.1.113883.3.464.1003.113.12.1075', 'Frailty Symptom'],
  advancedIllness: ['2.16.840.1.113883.3.464.1003.110.12.1082', 'Advanced Illness'],
  dementiaMedications: ['2.16.840.1.113883.3.464.1003.196.12.1510', 'Dementia Medications'],
} as const;

export type SharedValueSets = { [K in keyof typeof SHARED_VALUE_SETS]: CodeSet };

export function compileSharedValueSets(lookup: ValueSetLookup, measure: string): SharedValueSets {
  const out = {} as Record<string, CodeSet>;
  for (const [k, [oid, name]] of Object.entries(SHARED_VALUE_SETS)) out[k] = requireValueSet(lookup, measure, oid, name);
  return out as SharedValueSets;
}

const SNOMED_YES = ['SNOMED-CT', '373066001'] as const;
const SNOMED_LIVES_IN_NURSING_HOME = ['SNOMED-CT', '160734000'] as const;
const HOSPICE_DISPOSITIONS = new Set(['hospice-home', 'hospice-facility']);
/** Status library isInterventionOrder / isDeviceOrder: active or completed orders. */
const ORDER_STATUSES = new Set(['active', 'completed']);
const ORDER_INTENTS = new Set(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order']);
/** Status library isSymptom: anything but preliminary, cancelled or entered-in-error. */
const NOT_SYMPTOM_STATUSES = new Set(['preliminary', 'cancelled', 'entered-in-error']);

/** Conditions in a value set, verified, whose prevalence overlaps [from, to]. */
function hasCondition(p: PatientRecords, vs: CodeSet, from: string, to: string): boolean {
  if (vs.size === 0) return false;
  for (const c of p.conditions) if (vs.hasRecord(c) && isVerified(c) && prevalenceOverlaps(c, from, to)) return true;
  return false;
}

function hasEncounterOverlapping(p: PatientRecords, vs: CodeSet, from: string, to: string): boolean {
  if (vs.size === 0) return false;
  for (const e of p.encounters) if (isPerformed(e) && vs.hasEncounter(e) && overlaps(encounterDays(e), from, to)) return true;
  return false;
}

function hasProcedureOverlapping(p: PatientRecords, vs: CodeSet, from: string, to: string): boolean {
  if (vs.size === 0) return false;
  for (const x of p.procedures) if (x.status === 'completed' && vs.hasRecord(x) && overlaps(procedureDays(x), from, to)) return true;
  return false;
}

function hasAssessmentOverlapping(p: PatientRecords, loinc: string, from: string, to: string, value?: readonly [system: string, code: string]): boolean {
  for (const o of p.observations) {
    if (o.code !== loinc || o.code_system !== 'LOINC' || !isCountedResult(o.status)) continue;
    if (value !== undefined && (o.value_code_system !== value[0] || o.value_code !== value[1])) continue;
    if (overlaps(observationDays(o), from, to)) return true;
  }
  return false;
}

/** Hospice."Has Hospice Services": the reason code of the first branch that holds, or null. */
export function hospiceReason(p: PatientRecords, vs: SharedValueSets, mp: MeasurementPeriod): string | null {
  for (const e of p.encounters) {
    // Inpatient encounter discharged to home/facility hospice care, ending during the MP.
    if (e.discharge_disposition === null || !HOSPICE_DISPOSITIONS.has(e.discharge_disposition) || !isPerformed(e)) continue;
    if (!vs.encounterInpatient.hasEncounter(e)) continue;
    const end = encounterDays(e).to;
    if (end >= mp.startDay && end <= mp.endDay) return 'hospice.discharge-to-hospice';
  }
  if (hasEncounterOverlapping(p, vs.hospiceEncounter, mp.startDay, mp.endDay)) return 'hospice.encounter';
  if (hasAssessmentOverlapping(p, LOINC.hospiceYes, mp.startDay, mp.endDay, SNOMED_YES)) return 'hospice.assessment-yes';
  for (const r of p.serviceRequests) {
    if (r.kind !== 'service' || !ORDER_STATUSES.has(r.status) || !ORDER_INTENTS.has(r.intent) || !vs.hospiceCareAmbulatory.hasRecord(r)) continue;
    const d = dayOf(r.authored_time);
    if (d >= mp.startDay && d <= mp.endDay) return 'hospice.order';
  }
  if (hasProcedureOverlapping(p, vs.hospiceCareAmbulatory, mp.startDay, mp.endDay)) return 'hospice.procedure';
  if (hasCondition(p, vs.hospiceDiagnosis, mp.startDay, mp.endDay)) return 'hospice.diagnosis';
  return null;
}

/** PalliativeCare."Has Palliative Care in the Measurement Period". */
export function palliativeReason(p: PatientRecords, vs: SharedValueSets, mp: MeasurementPeriod): string | null {
  if (hasAssessmentOverlapping(p, LOINC.palliativeAssessment, mp.startDay, mp.endDay)) return 'palliative.facit-pal-assessment';
  // Problem-list and encounter diagnoses (the decks' ...ConditionEncounterDiagnosis cases expect both).
  if (hasCondition(p, vs.palliativeDiagnosis, mp.startDay, mp.endDay)) return 'palliative.diagnosis';
  if (hasEncounterOverlapping(p, vs.palliativeEncounter, mp.startDay, mp.endDay)) return 'palliative.encounter';
  if (hasProcedureOverlapping(p, vs.palliativeIntervention, mp.startDay, mp.endDay)) return 'palliative.intervention';
  return null;
}

/** AdvancedIllnessandFrailty."Has Criteria Indicating Frailty" (all within the MP). */
export function frailtyReason(p: PatientRecords, vs: SharedValueSets, mp: MeasurementPeriod): string | null {
  for (const r of p.serviceRequests) {
    if (r.kind !== 'device' || !ORDER_STATUSES.has(r.status) || !ORDER_INTENTS.has(r.intent) || !vs.frailtyDevice.hasRecord(r)) continue;
    const d = dayOf(r.authored_time);
    if (d >= mp.startDay && d <= mp.endDay) return 'frailty.device-order';
  }
  for (const o of p.observations) {
    // LOINC 98181-1 "Medical equipment used" whose value is a frailty device, ending during the MP.
    if (o.code !== LOINC.medicalEquipmentUsed || o.code_system !== 'LOINC' || !isCountedResult(o.status) || o.value_code_system === null) continue;
    if (!vs.frailtyDevice.has(o.value_code_system, o.value_code)) continue;
    const d = dayOf(o.effective_time);
    if (d >= mp.startDay && d <= mp.endDay) return 'frailty.device-used';
  }
  if (hasCondition(p, vs.frailtyDiagnosis, mp.startDay, mp.endDay)) return 'frailty.diagnosis';
  if (hasEncounterOverlapping(p, vs.frailtyEncounter, mp.startDay, mp.endDay)) return 'frailty.encounter';
  if (vs.frailtySymptom.size > 0)
    for (const o of p.observations)
      if (!NOT_SYMPTOM_STATUSES.has(o.status) && vs.frailtySymptom.hasRecord(o) && overlaps(observationDays(o), mp.startDay, mp.endDay)) return 'frailty.symptom';
  return null;
}

const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/** Advanced illness starting in the MP or the year before, or dementia medication active then. */
export function advancedIllnessReason(p: PatientRecords, vs: SharedValueSets, mp: MeasurementPeriod): string | null {
  const from = mp.yearBeforeStartDay;
  for (const c of p.conditions) if (vs.advancedIllness.hasRecord(c) && isVerified(c) && c.onset_date >= from && c.onset_date <= mp.endDay) return 'advanced-illness.diagnosis';
  const fromN = dayNumber(from);
  const toN = dayNumber(mp.endDay);
  for (const m of p.medications) {
    // isMedicationActive; medicationRequestPeriod = [start, start + days supplied - 1].
    if (m.status !== 'active' || !vs.dementiaMedications.hasRecord(m)) continue;
    const s = dayNumber(m.start_date);
    if (s <= toN && s + m.days_supplied - 1 >= fromN) return 'advanced-illness.dementia-medication';
  }
  return null;
}

/** "Is Age 66 or Older Living Long Term in a Nursing Home": the LAST housing-status assessment on or before the MP end says nursing home. */
export function livesInNursingHome(p: PatientRecords, mp: MeasurementPeriod): boolean {
  let last: Observation | null = null;
  for (const o of p.observations) {
    if (o.code !== LOINC.housingStatus || o.code_system !== 'LOINC' || !isCountedResult(o.status)) continue;
    if (dayOf(o.effective_time) > mp.endDay) continue;
    if (last === null || o.effective_time > last.effective_time) last = o;
  }
  return last !== null && last.value_code_system === SNOMED_LIVES_IN_NURSING_HOME[0] && last.value_code === SNOMED_LIVES_IN_NURSING_HOME[1];
}

export interface MeasureSummary {
  initialPopulation: number;
  denominator: number;
  exclusions: number;
  numerator: number;
  /** numerator / (denominator - exclusions); null when that is zero. */
  rate: number | null;
}

/** Aggregate per-patient results into a proportion. */
export function summarize(results: readonly MeasureResult[]): MeasureSummary {
  let ipp = 0;
  let den = 0;
  let ex = 0;
  let num = 0;
  for (const r of results) {
    ipp += r.populations['initial-population'];
    den += r.populations.denominator;
    ex += r.populations['denominator-exclusion'];
    num += r.populations.numerator;
  }
  const eligible = den - ex;
  // Zero-denominator rule (spelled out because fqm-execution left it open): when every
  // denominator patient is excluded, or there is none, the rate is undefined (null), never 0 or 1;
  // P4P then treats the indicator as not scored (DOMAIN.md: denominators under 30 are not scored).
  const rate = eligible > 0 ? num / eligible : null;
  return { initialPopulation: ipp, denominator: den, exclusions: ex, numerator: num, rate };
}
