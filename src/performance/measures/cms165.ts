/**
 * CMS165 — Controlling High Blood Pressure (CMS165FHIR v0.5.000; MIPS 236). Logic in words:
 * shared/MEASURES.md "CMS165". Numerator: lowest systolic < 140 and lowest diastolic < 90 on the
 * most recent BP day, readings taken inpatient or in the ED excluded.
 */
import type { Observation } from '../../../data-contracts/v1/index.ts';
import { bloodPressureStatus, dayOf } from '../control.ts';
import type { BloodPressureStatus, DayWindow } from '../control.ts';
import {
  advancedIllnessReason,
  ageAt,
  CodeSet,
  compileSharedValueSets,
  frailtyReason,
  hospiceReason,
  isPerformed,
  isVerified,
  livesInNursingHome,
  measurementPeriod,
  palliativeReason,
  prevalenceOverlaps,
  procedureDays,
  requireValueSet,
  qualifyingEncounterIn,
} from './common.ts';
import type { MeasureMode, MeasureResult, MeasurementPeriod, SharedValueSets } from './common.ts';
import type { PatientRecords, ValueSetLookup } from './patient-records.ts';

/** CMS165 numerator: systolic < 140 and diastolic < 90 mmHg (measure spec constants, not bureau policy). */
export const CMS165_BP_TARGET = { systolicLimit: 140, diastolicLimit: 90 } as const;
/** Age range at the end of the MP (CMS165 initial population). */
export const CMS165_AGE = { min: 18, max: 85 } as const;
/** Frailty + advanced illness applies 66-80; from 81 frailty alone excludes (AdvancedIllnessandFrailty). */
export const CMS165_FRAILTY_AGES = { withIllnessFrom: 66, aloneFrom: 81 } as const;

const MEASURE = 'CMS165';

export interface Cms165ValueSets {
  shared: SharedValueSets;
  qualifyingEncounter: CodeSet;
  hypertension: CodeSet;
  pregnancyOrRenal: CodeSet;
  esrdProcedure: CodeSet;
  esrdEncounter: CodeSet;
  acuteEncounter: CodeSet;
}

function union(lookup: ValueSetLookup, sets: readonly (readonly [string, string])[]): CodeSet {
  const out = new CodeSet();
  for (const [oid, name] of sets) out.addAll(requireValueSet(lookup, MEASURE, oid, name));
  return out;
}

/** Precompute the value sets once. Throws MissingValueSetError. */
export function compileCms165ValueSets(lookup: ValueSetLookup): Cms165ValueSets {
  const shared = compileSharedValueSets(lookup, MEASURE);
  const acute = union(lookup, [['2.16.840.1.113883.3.464.1003.101.12.1010', 'Emergency Department Evaluation and Management Visit']]);
  acute.addAll(shared.encounterInpatient);
  return {
    shared,
    // AdultOutpatientEncounters."Qualifying Encounters"
    qualifyingEncounter: union(lookup, [
      ['2.16.840.1.113883.3.464.1003.101.12.1001', 'Office Visit'],
      ['2.16.840.1.113883.3.526.3.1240', 'Annual Wellness Visit'],
      ['2.16.840.1.113883.3.464.1003.101.12.1025', 'Preventive Care Services Established Office Visit, 18 and Up'],
      ['2.16.840.1.113883.3.464.1003.101.12.1023', 'Preventive Care Services Initial Office Visit, 18 and Up'],
      ['2.16.840.1.113883.3.464.1003.101.12.1016', 'Home Healthcare Services'],
      ['2.16.840.1.113883.3.464.1003.101.12.1089', 'Virtual Encounter'],
      ['2.16.840.1.113883.3.464.1003.101.12.1080', 'Telephone Visits'],
    ]),
    hypertension: requireValueSet(lookup, MEASURE, '2.16.840.1.113883.3.464.1003.104.12.1011', 'Essential Hypertension'),
    pregnancyOrRenal: union(lookup, [
      ['2.16.840.1.113883.3.526.3.378', 'Pregnancy'],
      ['2.16.840.1.113883.3.526.3.353', 'End Stage Renal Disease'],
      ['2.16.840.1.113883.3.464.1003.109.12.1029', 'Kidney Transplant Recipient'],
      ['2.16.840.1.113883.3.526.3.1002', 'Chronic Kidney Disease, Stage 5'],
    ]),
    esrdProcedure: union(lookup, [
      ['2.16.840.1.113883.3.464.1003.109.12.1012', 'Kidney Transplant'],
      ['2.16.840.1.113883.3.464.1003.109.12.1013', 'Dialysis Services'],
    ]),
    esrdEncounter: requireValueSet(lookup, MEASURE, '2.16.840.1.113883.3.464.1003.109.12.1014', 'ESRD Monthly Outpatient Services'),
    acuteEncounter: acute,
  };
}

export interface Cms165Options {
  mode?: MeasureMode;
}

export interface Cms165Result extends MeasureResult {
  bloodPressure: BloodPressureStatus | null;
}

const outOfPopulation = (): Cms165Result['populations'] => ({ 'initial-population': 0, denominator: 0, 'denominator-exclusion': 0, numerator: 0 });

/** Evaluate CMS165 for one patient. */
export function evaluateCms165(p: PatientRecords, vs: Cms165ValueSets, mp: MeasurementPeriod, options: Cms165Options = {}): Cms165Result {
  const mode = options.mode ?? 'narrative';
  const reasons: string[] = [];
  const id = p.member.member_id;

  // --- Initial population: age 18-85 at the end of the MP; essential hypertension (problem list
  // or encounter diagnosis) overlapping [start of MP, start of MP + 6 months); a qualifying
  // outpatient encounter during the MP.
  const age = ageAt(p.member.birth_date, mp.endDay);
  if (age < CMS165_AGE.min || age > CMS165_AGE.max) {
    reasons.push(`ipp.age-out-of-range: age ${age} at ${mp.endDay} is outside ${CMS165_AGE.min}-${CMS165_AGE.max}`);
    return { patientId: id, populations: outOfPopulation(), reasons, bloodPressure: null };
  }
  // Half-open [MP start, MP start + 6 months): the last day inside is June 30 of a calendar-year MP.
  const htnWindowEnd = mp.firstHalfEndDay;
  let hypertension: string | null = null;
  for (const c of p.conditions)
    if (vs.hypertension.hasRecord(c) && isVerified(c) && prevalenceOverlaps(c, mp.startDay, htnWindowEnd)) {
      hypertension = c.condition_id;
      break;
    }
  if (hypertension === null) {
    reasons.push(`ipp.no-hypertension: no verified essential hypertension overlapping ${mp.startDay}..${htnWindowEnd}`);
    return { patientId: id, populations: outOfPopulation(), reasons, bloodPressure: null };
  }
  const encounter = qualifyingEncounterIn(p.encounters, vs.qualifyingEncounter, mp);
  if (encounter === null) {
    reasons.push('ipp.no-qualifying-encounter: no finished qualifying outpatient visit during the measurement period');
    return { patientId: id, populations: outOfPopulation(), reasons, bloodPressure: null };
  }
  reasons.push(`ipp.met: age ${age}, hypertension ${hypertension}, qualifying encounter ${encounter}`);

  // --- Denominator = initial population.
  const populations = { 'initial-population': 1, denominator: 1, 'denominator-exclusion': 0, numerator: 0 } as Cms165Result['populations'];

  // --- Denominator exclusions in the CQL's order; the first that holds is reported.
  const exclusion = cms165ExclusionReason(p, vs, mp, age);
  if (exclusion !== null) {
    // Excluded patients are not evaluated for the numerator (MADiE/fqm-execution report 0).
    reasons.push(`denex.${exclusion}`);
    populations['denominator-exclusion'] = 1;
    return { patientId: id, populations, reasons, bloodPressure: null };
  }

  // --- Numerator.
  // Narrative: "most recent blood pressure ... during the measurement period". Computable
  // (CMS165FHIR v0.5.000 as measured with fqm-execution, MEASURES.md "Observed quirk"): readings
  // not taken during an inpatient/ED encounter have no date bound, so a reading after the MP can
  // decide, and one before the MP can count.
  const window: DayWindow = mode === 'narrative' ? { fromDay: mp.startDay, toDay: mp.endDay } : { fromDay: null, toDay: null };
  const bp = bloodPressureStatus(p.observations, window, CMS165_BP_TARGET, acuteReadingFilter(p, vs));
  if (bp.date === null) reasons.push(`numer.no-reading: no qualifying blood pressure ${mode === 'narrative' ? 'in the measurement period' : 'recorded'} (not controlled)`);
  else if (bp.status === 'controlled') {
    populations.numerator = 1;
    reasons.push(`numer.controlled: lowest ${bp.systolic}/${bp.diastolic} mmHg on ${bp.date}`);
  } else if (bp.status === 'unknown') reasons.push(`numer.no-result: a reading on ${bp.date} has no value (not controlled)`);
  else reasons.push(`numer.not-controlled: lowest ${bp.systolic}/${bp.diastolic} mmHg on ${bp.date} (needs < 140/90)`);
  return { patientId: id, populations, reasons, bloodPressure: bp };
}

/**
 * Readings CMS165 refuses: taken during an Encounter Inpatient or ED E/M visit (by time: the
 * reading's instant inside the encounter's period), or linked to an encounter whose class is
 * EMER/IMP/ACUTE/NONAC/PRENC/SS (the importer records that as setting inpatient/ed; the linked
 * contract encounter's class is checked too).
 */
function acuteReadingFilter(p: PatientRecords, vs: Cms165ValueSets): (o: Observation) => boolean {
  let acute: { start: string; end: string }[] | null = null;
  let acuteClassIds: Set<string> | null = null;
  for (const e of p.encounters) {
    if (e.class === 'inpatient' || e.class === 'ed') (acuteClassIds ??= new Set()).add(e.encounter_id);
    if (isPerformed(e) && vs.acuteEncounter.hasEncounter(e)) (acute ??= []).push({ start: toZ(e.start_time), end: toZ(e.end_time ?? e.start_time) });
  }
  // Most patients have no inpatient or ED encounter: one shared test of the reading's own setting.
  if (acute === null && acuteClassIds === null) return readingSettingIsAcute;
  return (o) => {
    if (o.setting === 'inpatient' || o.setting === 'ed') return true;
    if (o.encounter_id !== null && acuteClassIds !== null && acuteClassIds.has(o.encounter_id)) return true;
    if (acute === null) return false;
    const t = toZ(o.effective_time);
    for (const a of acute) if (t >= a.start && t <= a.end) return true;
    return false;
  };
}

const readingSettingIsAcute = (o: Observation): boolean => o.setting === 'inpatient' || o.setting === 'ed';

/**
 * Normalise an instant to the UTC `YYYY-MM-DDTHH:MM:SS.sssZ` form (Date#toISOString) so string
 * order is time order. Fast paths for the importer's form (already that) and the store's
 * whole-second `...SSZ` form (the same instant with `.000` inserted).
 */
function toZ(instant: string): string {
  if (instant.length === 24 && instant.endsWith('Z')) return instant;
  if (instant.length === 20 && instant.charCodeAt(19) === 90 /* Z */ && instant.charCodeAt(10) === 84 /* T */ && instant.charCodeAt(16) === 58 /* : */)
    return `${instant.slice(0, 19)}.000Z`;
  return new Date(instant).toISOString();
}

/** CMS165 "Denominator Exclusions" in the CQL's order; the reason code of the first that holds, or null. */
export function cms165ExclusionReason(p: PatientRecords, vs: Cms165ValueSets, mp: MeasurementPeriod, age: number): string | null {
  // 1. Hospice services.
  const hospice = hospiceReason(p, vs.shared, mp);
  if (hospice !== null) return hospice;
  // 2. Pregnancy, ESRD, kidney transplant recipient or CKD stage 5 overlapping the MP.
  for (const c of p.conditions)
    if (vs.pregnancyOrRenal.hasRecord(c) && isVerified(c) && prevalenceOverlaps(c, mp.startDay, mp.endDay))
      return `pregnancy-or-renal-diagnosis: ${c.code_system}|${c.code}`;
  // 3. Kidney transplant or dialysis procedure ending on or before the end of the MP.
  for (const x of p.procedures) if (x.status === 'completed' && vs.esrdProcedure.hasRecord(x) && procedureDays(x).to <= mp.endDay) return 'esrd-procedure';
  // 4. ESRD monthly outpatient services starting on or before the end of the MP.
  for (const e of p.encounters) if (isPerformed(e) && vs.esrdEncounter.hasEncounter(e) && dayOf(e.start_time) <= mp.endDay) return 'esrd-encounter';
  // 5. Age 66-80 with frailty and advanced illness/dementia medication, or 81+ with frailty alone.
  if (age >= CMS165_FRAILTY_AGES.withIllnessFrom) {
    const frailty = frailtyReason(p, vs.shared, mp);
    if (frailty !== null) {
      if (age >= CMS165_FRAILTY_AGES.aloneFrom) return `frailty-age-81-plus: ${frailty}`;
      const illness = advancedIllnessReason(p, vs.shared, mp);
      if (illness !== null) return `frailty-and-advanced-illness: ${frailty} + ${illness}`;
    }
  }
  // 6. Age 66+ living long term in a nursing home.
  if (age >= CMS165_FRAILTY_AGES.withIllnessFrom && livesInNursingHome(p, mp)) return 'nursing-home: age 66+ and the last housing status is "lives in a nursing home"';
  // 7. Palliative care in the MP.
  return palliativeReason(p, vs.shared, mp);
}

/** Convenience: compile once, evaluate many. */
export function cms165Evaluator(lookup: ValueSetLookup, year: number, options: Cms165Options = {}) {
  const vs = compileCms165ValueSets(lookup);
  const mp = measurementPeriod(year);
  return (p: PatientRecords): Cms165Result => evaluateCms165(p, vs, mp, options);
}
