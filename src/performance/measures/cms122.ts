/**
 * CMS122 — Diabetes: Glycemic Status Assessment Greater Than 9% (CMS122FHIR v0.5.000; MIPS 001,
 * inverse measure: lower is better). Logic in words: shared/MEASURES.md "CMS122".
 *
 * Besides the eCQM numerator (poor control: > 9 %, no result, or no test), the same representative
 * reading yields the bureau's rates on the same eligible denominator: HbA1c < 7.0 % (DOMAIN.md O1,
 * threshold from policy `control.hba1cUncontrolledPct`) and < 8.0 % (HEDIS GSD "control").
 */
import type { Observation } from '../../../data-contracts/v1/index.ts';
import { LOINC } from '../../../data-contracts/v1/index.ts';
import type { Policy } from '../../config/policy.ts';
import { classifyGlycaemicValue, glycaemicStatus, policyGlycaemicTarget } from '../control.ts';
import type { GlycaemicStatus } from '../control.ts';
import {
  advancedIllnessReason,
  ageAt,
  compileSharedValueSets,
  frailtyReason,
  hospiceReason,
  CodeSet,
  isVerified,
  keyOf,
  livesInNursingHome,
  measurementPeriod,
  palliativeReason,
  prevalenceOverlaps,
  requireValueSet,
  qualifyingEncounterIn,
} from './common.ts';
import type { MeasureMode, MeasureResult, MeasurementPeriod, SharedValueSets } from './common.ts';
import type { PatientRecords, ValueSetLookup } from './patient-records.ts';

/** CMS122 numerator threshold: "> 9%" is poor control (measure spec constant, not bureau policy). */
export const CMS122_POOR_CONTROL_PCT = 9;
/** HEDIS GSD "glycemic status < 8.0%" control rate (NCQA spec constant). */
export const HEDIS_GSD_CONTROL_PCT = 8;
/** Age range at the end of the MP (CMS122 initial population). */
export const CMS122_AGE = { min: 18, max: 75 } as const;
/** Frailty/advanced-illness and nursing-home exclusions apply from this age (AdvancedIllnessandFrailty). */
export const FRAILTY_EXCLUSION_MIN_AGE = 66;

const MEASURE = 'CMS122';
/** Encounter.type codes that qualify directly (CQL direct-reference codes: medical nutrition therapy). */
const DIRECT_ENCOUNTER_CODES = new Set([keyOf('CPT', '97802'), keyOf('CPT', '97803'), keyOf('CPT', '97804'), keyOf('HCPCS', 'G0270'), keyOf('HCPCS', 'G0271')]);

export interface Cms122ValueSets {
  shared: SharedValueSets;
  qualifyingEncounter: CodeSet;
  diabetes: CodeSet;
  hba1c: CodeSet;
  /** Whether an observation is a glycaemic status assessment (HbA1c value set or GMI); built once. */
  isGlycaemicTest: (o: Observation) => boolean;
}

/** Precompute the value sets once (a union Set for the qualifying encounters). Throws MissingValueSetError. */
export function compileCms122ValueSets(lookup: ValueSetLookup): Cms122ValueSets {
  const qualifying = new CodeSet(DIRECT_ENCOUNTER_CODES);
  for (const [oid, name] of [
    ['2.16.840.1.113883.3.464.1003.101.12.1001', 'Office Visit'],
    ['2.16.840.1.113883.3.526.3.1240', 'Annual Wellness Visit'],
    ['2.16.840.1.113883.3.464.1003.101.12.1025', 'Preventive Care Services Established Office Visit, 18 and Up'],
    ['2.16.840.1.113883.3.464.1003.101.12.1023', 'Preventive Care Services Initial Office Visit, 18 and Up'],
    ['2.16.840.1.113883.3.464.1003.101.12.1016', 'Home Healthcare Services'],
    ['2.16.840.1.113883.3.464.1003.1006', 'Nutrition Services'],
    ['2.16.840.1.113883.3.464.1003.101.12.1080', 'Telephone Visits'],
  ] as const)
    qualifying.addAll(requireValueSet(lookup, MEASURE, oid, name));
  const hba1c = requireValueSet(lookup, MEASURE, '2.16.840.1.113883.3.464.1003.198.12.1013', 'HbA1c Laboratory Test');
  hba1c.add(keyOf('LOINC', LOINC.gmi));
  return {
    shared: compileSharedValueSets(lookup, MEASURE),
    qualifyingEncounter: qualifying,
    diabetes: requireValueSet(lookup, MEASURE, '2.16.840.1.113883.3.464.1003.103.12.1001', 'Diabetes'),
    hba1c,
    isGlycaemicTest: (o) => hba1c.hasRecord(o),
  };
}

export interface Cms122Options {
  mode?: MeasureMode;
}

/** CMS122 result plus the extra rates (1 = meets it; 0 = eligible but does not; null = not in the eligible denominator). */
export interface Cms122Result extends MeasureResult {
  glycaemic: GlycaemicStatus | null;
  extraRates: { 'hba1c-below-7': 0 | 1 | null; 'hba1c-below-8': 0 | 1 | null };
}

/** A result with no numerator evaluation (out of the population, or excluded); built literally, not by spreading (hot path). */
function unevaluated(patientId: string, populations: Cms122Result['populations'], reasons: string[]): Cms122Result {
  return { patientId, glycaemic: null, extraRates: { 'hba1c-below-7': null, 'hba1c-below-8': null }, populations, reasons };
}
const outOfPopulation = (): Cms122Result['populations'] => ({ 'initial-population': 0, denominator: 0, 'denominator-exclusion': 0, numerator: 0 });
/** "> 9 %" is poor control, so exactly 9 % is not (controlled at the limit). */
const POOR_CONTROL_TARGET = { limit: CMS122_POOR_CONTROL_PCT, controlledAtLimit: true } as const;
const HEDIS_GSD_TARGET = { limit: HEDIS_GSD_CONTROL_PCT, controlledAtLimit: false } as const;

/**
 * Evaluate CMS122 for one patient. `control` supplies the bureau's HbA1c target for the < 7 % rate.
 */
export function evaluateCms122(
  p: PatientRecords,
  vs: Cms122ValueSets,
  mp: MeasurementPeriod,
  control: Policy['control'],
  options: Cms122Options = {},
): Cms122Result {
  const mode = options.mode ?? 'narrative';
  const reasons: string[] = [];

  // --- Initial population: age 18-75 at the end of the MP, a qualifying encounter during the MP,
  // and a verified diabetes diagnosis whose prevalence overlaps the MP.
  const age = ageAt(p.member.birth_date, mp.endDay);
  if (age < CMS122_AGE.min || age > CMS122_AGE.max) {
    reasons.push(`ipp.age-out-of-range: age ${age} at ${mp.endDay} is outside ${CMS122_AGE.min}-${CMS122_AGE.max}`);
    return unevaluated(p.member.member_id, outOfPopulation(), reasons);
  }
  const encounter = qualifyingEncounterIn(p.encounters, vs.qualifyingEncounter, mp);
  if (encounter === null) {
    reasons.push('ipp.no-qualifying-encounter: no finished qualifying visit during the measurement period');
    return unevaluated(p.member.member_id, outOfPopulation(), reasons);
  }
  let diabetes: string | null = null;
  let problemListOnly = false;
  for (const c of p.conditions) {
    if (!vs.diabetes.hasRecord(c) || !isVerified(c) || !prevalenceOverlaps(c, mp.startDay, mp.endDay)) continue;
    // Computable CQL reads ConditionEncounterDiagnosis only; the narrative ("patients with
    // diabetes") also accepts a problem-list entry (MEASURES.md, second CQL-vs-narrative difference).
    if (c.source === 'encounter' || mode === 'narrative') {
      diabetes = c.condition_id;
      break;
    }
    problemListOnly = true;
  }
  if (diabetes === null) {
    reasons.push(
      problemListOnly
        ? 'ipp.diabetes-problem-list-only: diabetes is only on the problem list (computable mode reads encounter diagnoses only)'
        : 'ipp.no-diabetes-diagnosis: no verified diabetes diagnosis overlapping the measurement period',
    );
    return unevaluated(p.member.member_id, outOfPopulation(), reasons);
  }
  reasons.push(`ipp.met: age ${age}, qualifying encounter ${encounter}, diabetes ${diabetes}`);

  // --- Denominator = initial population.
  const populations = { 'initial-population': 1, denominator: 1, 'denominator-exclusion': 0, numerator: 0 } as Cms122Result['populations'];

  // --- Denominator exclusions, in the CQL's order; the first that holds is the reason given.
  // Precedence does not change membership (any one excludes) but fixes which reason is reported.
  const exclusion = cms122ExclusionReason(p, vs.shared, mp, age);
  if (exclusion !== null) {
    // Excluded patients are not evaluated for the numerator (MADiE/fqm-execution report 0).
    reasons.push(`denex.${exclusion}`);
    populations['denominator-exclusion'] = 1;
    return unevaluated(p.member.member_id, populations, reasons);
  }

  // --- Numerator (inverse): most recent glycaemic status assessment in the MP, lowest value that
  // day; poor control when > 9 %, when that assessment has no result, or when there is none.
  const poor = glycaemicStatus(p.observations, { fromDay: mp.startDay, toDay: mp.endDay }, POOR_CONTROL_TARGET, vs.isGlycaemicTest);
  if (poor.resultKind === 'none') {
    populations.numerator = 1;
    reasons.push('numer.no-assessment: no glycaemic status assessment in the measurement period');
  } else if (poor.resultKind === 'no-result') {
    populations.numerator = 1;
    reasons.push(`numer.no-result: most recent assessment on ${poor.date} has no result`);
  } else if (poor.resultKind === 'non-numeric') {
    // A coded result is neither "without result" nor "> 9 %" (CQL: value as Quantity is null).
    reasons.push(`numer.not-met: most recent assessment on ${poor.date} has a non-numeric result`);
  } else if (poor.status === 'uncontrolled') {
    populations.numerator = 1;
    reasons.push(`numer.above-9: lowest value on ${poor.date} is ${poor.value}% (> ${CMS122_POOR_CONTROL_PCT}%)`);
  } else reasons.push(`numer.not-met: lowest value on ${poor.date} is ${poor.value}% (<= ${CMS122_POOR_CONTROL_PCT}%)`);

  // Extra rates on the same eligible denominator and the same representative value.
  const bureau = classifyGlycaemicValue(poor.value, policyGlycaemicTarget(control));
  const hedis = classifyGlycaemicValue(poor.value, HEDIS_GSD_TARGET);
  return {
    patientId: p.member.member_id,
    populations,
    reasons,
    glycaemic: poor,
    extraRates: { 'hba1c-below-7': bureau === 'controlled' ? 1 : 0, 'hba1c-below-8': hedis === 'controlled' ? 1 : 0 },
  };
}

/** CMS122 "Denominator Exclusions" in the CQL's order; the reason code of the first that holds, or null. */
export function cms122ExclusionReason(p: PatientRecords, vs: SharedValueSets, mp: MeasurementPeriod, age: number): string | null {
  // 1. Hospice services (any age).
  const hospice = hospiceReason(p, vs, mp);
  if (hospice !== null) return hospice;
  // 2. Age 66+ living long term in a nursing home.
  if (age >= FRAILTY_EXCLUSION_MIN_AGE && livesInNursingHome(p, mp)) return 'nursing-home: age 66+ and the last housing status is "lives in a nursing home"';
  // 3. Age 66+ with frailty AND (advanced illness or dementia medication). CMS122 has no
  //    "81+ frailty alone" branch (that is CMS165's).
  if (age >= FRAILTY_EXCLUSION_MIN_AGE) {
    const frailty = frailtyReason(p, vs, mp);
    if (frailty !== null) {
      const illness = advancedIllnessReason(p, vs, mp);
      if (illness !== null) return `frailty-and-advanced-illness: ${frailty} + ${illness}`;
    }
  }
  // 4. Palliative care in the MP (any age).
  return palliativeReason(p, vs, mp);
}

/** Convenience: compile once, evaluate many. */
export function cms122Evaluator(lookup: ValueSetLookup, year: number, control: Policy['control'], options: Cms122Options = {}) {
  const vs = compileCms122ValueSets(lookup);
  const mp = measurementPeriod(year);
  return (p: PatientRecords): Cms122Result => evaluateCms122(p, vs, mp, control, options);
}
