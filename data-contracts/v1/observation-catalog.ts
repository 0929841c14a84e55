/**
 * What each LOINC-coded reading Stratum uses means: its canonical unit, the units it may arrive
 * in with their exact conversions, and the range outside which a value is physiologically
 * implausible (a data error, not a patient). Shared by the generator (to make defects), the loader
 * (to catch them) and the measures.
 */
import { LOINC } from './codes.ts';

export interface ReadingSpec {
  loinc: string;
  name: string;
  canonicalUnit: string;
  /** Other units accepted, with the conversion into the canonical unit. */
  conversions: Record<string, (value: number) => number>;
  /** Plausible range in the canonical unit (inclusive). */
  plausible: { min: number; max: number };
}

/**
 * HbA1c: IFCC mmol/mol to NGSP % is % = 0.09148 x mmol/mol + 2.152 (the IFCC-NGSP master
 * equation). A value labelled % but above 20 is almost surely mmol/mol mislabelled: rejected.
 */
const hba1cFromMmolPerMol = (v: number) => Math.round((0.09148 * v + 2.152) * 100) / 100;
/** Glucose: mg/dL to mmol/L divides by 18.016 (molar mass of glucose 180.16 g/mol). */
const glucoseFromMgPerDl = (v: number) => Math.round((v / 18.016) * 100) / 100;
/** LDL cholesterol: mg/dL to mmol/L divides by 38.67. */
const ldlFromMgPerDl = (v: number) => Math.round((v / 38.67) * 100) / 100;

export const READINGS: Record<string, ReadingSpec> = {
  [LOINC.hba1c]: { loinc: LOINC.hba1c, name: 'HbA1c', canonicalUnit: '%', conversions: { 'mmol/mol': hba1cFromMmolPerMol }, plausible: { min: 3, max: 20 } },
  [LOINC.gmi]: { loinc: LOINC.gmi, name: 'GMI', canonicalUnit: '%', conversions: {}, plausible: { min: 3, max: 20 } },
  [LOINC.systolic]: { loinc: LOINC.systolic, name: 'systolic BP', canonicalUnit: 'mm[Hg]', conversions: { mmHg: (v) => v }, plausible: { min: 50, max: 300 } },
  [LOINC.diastolic]: { loinc: LOINC.diastolic, name: 'diastolic BP', canonicalUnit: 'mm[Hg]', conversions: { mmHg: (v) => v }, plausible: { min: 20, max: 200 } },
  [LOINC.bmi]: { loinc: LOINC.bmi, name: 'BMI', canonicalUnit: 'kg/m2', conversions: { 'kg/m^2': (v) => v }, plausible: { min: 10, max: 80 } },
  [LOINC.fastingGlucose]: { loinc: LOINC.fastingGlucose, name: 'fasting glucose', canonicalUnit: 'mmol/L', conversions: { 'mg/dL': glucoseFromMgPerDl }, plausible: { min: 1, max: 50 } },
  [LOINC.homeCapillaryGlucose]: { loinc: LOINC.homeCapillaryGlucose, name: 'home capillary glucose', canonicalUnit: 'mmol/L', conversions: { 'mg/dL': glucoseFromMgPerDl }, plausible: { min: 1, max: 50 } },
  [LOINC.ldl]: { loinc: LOINC.ldl, name: 'LDL cholesterol', canonicalUnit: 'mmol/L', conversions: { 'mg/dL': ldlFromMgPerDl }, plausible: { min: 0.1, max: 20 } },
  [LOINC.egfr]: { loinc: LOINC.egfr, name: 'eGFR', canonicalUnit: 'mL/min/1.73m2', conversions: {}, plausible: { min: 1, max: 200 } },
  [LOINC.urineAlbuminCreatinine]: { loinc: LOINC.urineAlbuminCreatinine, name: 'urine albumin/creatinine', canonicalUnit: 'mg/g', conversions: {}, plausible: { min: 0, max: 10000 } },
};

export type NormalisedReading =
  | { ok: true; value: number; unit: string; converted: boolean }
  | { ok: false; rule: 'unknown-unit' | 'implausible-value'; message: string };

/**
 * Bring a reading into its canonical unit. Values correctly labelled in another unit are
 * converted; a value outside the plausible range after conversion is rejected (this is how a
 * mislabelled HbA1c of 53 "%" is caught).
 */
export function normaliseReading(loinc: string, value: number, unit: string): NormalisedReading {
  const spec = READINGS[loinc];
  if (!spec) return { ok: true, value, unit, converted: false };
  let canonical = value;
  let converted = false;
  if (unit !== spec.canonicalUnit) {
    const convert = spec.conversions[unit];
    if (!convert) return { ok: false, rule: 'unknown-unit', message: `${spec.name} in unit "${unit}" is not accepted; expected ${[spec.canonicalUnit, ...Object.keys(spec.conversions)].join(' or ')}` };
    canonical = convert(value);
    converted = true;
  }
  if (canonical < spec.plausible.min || canonical > spec.plausible.max)
    return {
      ok: false,
      rule: 'implausible-value',
      message: `${spec.name} ${value} ${unit} is outside the plausible range ${spec.plausible.min}-${spec.plausible.max} ${spec.canonicalUnit}`,
    };
  return { ok: true, value: canonical, unit: spec.canonicalUnit, converted };
}
