/**
 * UCI "Diabetes 130-US hospitals 1999-2008" (Strack et al. 2014; shared/data/uci-diabetes-130):
 * 101,766 encounters, label readmitted == '<30' (11,357 positives), group id patient_nbr
 * (71,518 patients; the published test rows split by encounter, so report a patient-grouped split
 * beside it, as the data README asks).
 *
 * The CSV is read straight out of dataset_diabetes.zip with `./zip.ts` (node:zlib inflateRaw):
 * no unzip package is installed and the system `unzip` binary is not promised on every machine.
 *
 * Features, following Strack et al. and the work that builds on it:
 * - demographics: race (one-hot; '?' is the reference), female (Unknown/Invalid -> NaN), age as the
 *   midpoint of its ten-year bracket;
 * - admission type, discharge disposition and admission source: their IDs_mapping codes grouped
 *   into a few one-hot categories (unknown/not mapped/NULL is the reference);
 * - time in hospital and the counts of labs, procedures, medications, outpatient, emergency and
 *   inpatient visits, number of diagnoses;
 * - A1C and max glucose serum: a tested flag and an ordinal level (Norm 0, >7 or >200 1, >8 or
 *   >300 2; NaN when not tested);
 * - medication change and diabetesMed as 0/1; the 23 medication columns as ordinal codes
 *   No 0, Down 1, Steady 2, Up 3;
 * - diag_1..3 as the ICD-9 groups of Strack et al. Table 2 (circulatory, respiratory, digestive,
 *   diabetes, injury, musculoskeletal, genitourinary, neoplasms; other and missing are the reference);
 * - medical specialty, grouped (missing is the reference).
 * Dropped: encounter_id and patient_nbr (ids), weight (97% missing), payer_code (not clinical,
 * about 40% missing).
 *
 * Death and hospice: Strack et al. removed encounters discharged to death or hospice (codes 11, 13,
 * 14, 19, 20, 21), who cannot be readmitted. The shared README does not ask for that, and the
 * published test rows index all 101,766 rows, so every row is kept; `rowFlags.dischargedToDeathOrHospice`
 * marks them for a caller that wants Strack's cohort (and the discharge one-hots carry it).
 */
import { join } from 'node:path';
import { columnIndex, forEachCsvRow, MatrixBuilder, parseNumber, readDataFile, readTestRows, type LabelledDataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { extractZipEntry } from './zip.ts';

const LABEL = 'readmitted';
const MISSING = ['?', ''];

/** The 23 medication columns, in CSV order. */
export const UCI_MEDICATIONS: readonly string[] = [
  'metformin', 'repaglinide', 'nateglinide', 'chlorpropamide', 'glimepiride', 'acetohexamide', 'glipizide', 'glyburide',
  'tolbutamide', 'pioglitazone', 'rosiglitazone', 'acarbose', 'miglitol', 'troglitazone', 'tolazamide', 'examide',
  'citoglipton', 'insulin', 'glyburide-metformin', 'glipizide-metformin', 'glimepiride-pioglitazone',
  'metformin-rosiglitazone', 'metformin-pioglitazone',
];

const MEDICATION_CODE: Record<string, number> = { No: 0, Down: 1, Steady: 2, Up: 3 };

const RACES = ['Caucasian', 'AfricanAmerican', 'Hispanic', 'Asian', 'Other'] as const;

/** IDs_mapping admission_type_id groups (5 Not Available, 6 NULL, 8 Not Mapped are the reference). */
const ADMISSION_TYPE: Record<string, readonly number[]> = { emergency: [1], urgent: [2], elective: [3], other: [4, 7] };

/** IDs_mapping discharge_disposition_id groups (18 NULL, 25 Not Mapped, 26 Unknown are the reference). */
const DISCHARGE: Record<string, readonly number[]> = {
  home: [1],
  home_health: [6, 8],
  short_term_hospital: [2],
  snf: [3],
  other_facility: [4, 5, 9, 10, 12, 15, 16, 17, 22, 23, 24, 27, 28, 29, 30],
  left_ama: [7],
  expired: [11, 19, 20, 21],
  hospice: [13, 14],
};
/** Discharge codes ending in death or hospice (Strack et al. 2014, "Data set"). */
export const UCI_DEATH_OR_HOSPICE_CODES: readonly number[] = [11, 13, 14, 19, 20, 21];

/** IDs_mapping admission_source_id groups (9, 15 Not Available, 17 NULL, 20 Not Mapped, 21 Unknown are the reference). */
const ADMISSION_SOURCE: Record<string, readonly number[]> = {
  physician_referral: [1],
  clinic_hmo_referral: [2, 3],
  emergency_room: [7],
  transfer: [4, 5, 6, 10, 18, 19, 22, 25, 26],
  other: [8, 11, 12, 13, 14, 23, 24],
};

const ICD9_GROUPS = ['circulatory', 'respiratory', 'digestive', 'diabetes', 'injury', 'musculoskeletal', 'genitourinary', 'neoplasms'] as const;
type Icd9Group = (typeof ICD9_GROUPS)[number] | 'other' | 'missing';

/** ICD-9 chapter group of a diagnosis code (Strack et al. 2014, Table 2). */
export function icd9Group(code: string): Icd9Group {
  if (code === '?' || code === '') return 'missing';
  if (code.startsWith('V') || code.startsWith('E')) return 'other';
  const n = Number(code);
  if (!Number.isFinite(n)) return 'other';
  const whole = Math.floor(n);
  if ((n >= 390 && n < 460) || whole === 785) return 'circulatory';
  if ((n >= 460 && n < 520) || whole === 786) return 'respiratory';
  if ((n >= 520 && n < 580) || whole === 787) return 'digestive';
  if (whole === 250) return 'diabetes';
  if (n >= 800 && n < 1000) return 'injury';
  if (n >= 710 && n < 740) return 'musculoskeletal';
  if ((n >= 580 && n < 630) || whole === 788) return 'genitourinary';
  if (n >= 140 && n < 240) return 'neoplasms';
  return 'other';
}

const SPECIALTIES = ['internal_medicine', 'emergency_trauma', 'family_general_practice', 'cardiology', 'surgery', 'other'] as const;

function specialtyGroup(value: string): (typeof SPECIALTIES)[number] | 'missing' {
  if (value === '?' || value === '') return 'missing';
  if (value === 'InternalMedicine') return 'internal_medicine';
  if (value === 'Emergency/Trauma') return 'emergency_trauma';
  if (value === 'Family/GeneralPractice') return 'family_general_practice';
  if (value === 'Cardiology') return 'cardiology';
  if (value.startsWith('Surg')) return 'surgery';
  return 'other';
}

const NUMERIC = [
  'time_in_hospital', 'num_lab_procedures', 'num_procedures', 'num_medications', 'number_outpatient',
  'number_emergency', 'number_inpatient', 'number_diagnoses',
] as const;

const FEATURES: readonly string[] = [
  ...RACES.map((r) => `race_${r}`),
  'female',
  'age',
  ...Object.keys(ADMISSION_TYPE).map((g) => `admission_type_${g}`),
  ...Object.keys(DISCHARGE).map((g) => `discharge_${g}`),
  ...Object.keys(ADMISSION_SOURCE).map((g) => `admission_source_${g}`),
  ...NUMERIC,
  'a1c_tested',
  'a1c_level',
  'glucose_serum_tested',
  'glucose_serum_level',
  'medication_change',
  'diabetes_medication',
  ...UCI_MEDICATIONS.map((m) => `med_${m.replaceAll('-', '_')}`),
  ...['diag1', 'diag2', 'diag3'].flatMap((d) => ICD9_GROUPS.map((g) => `${d}_${g}`)),
  ...SPECIALTIES.map((s) => `specialty_${s}`),
];

function putCodeGroups(put: (v: number) => void, code: number, groups: Record<string, readonly number[]>): void {
  for (const key in groups) put(groups[key]!.includes(code) ? 1 : 0);
}

/** '[70-80)' -> 75. */
function ageMidpoint(bracket: string): number {
  const m = /^\[(\d+)-(\d+)\)$/.exec(bracket);
  if (!m) return NaN;
  return (Number(m[1]) + Number(m[2])) / 2;
}

function resultLevel(value: string, norm: string, mid: string, high: string): [number, number] {
  if (value === 'None' || value === '' || value === '?') return [0, NaN];
  if (value === norm) return [1, 0];
  if (value === mid) return [1, 1];
  if (value === high) return [1, 2];
  throw new DatasetError('BAD_CSV', `unexpected lab result ${JSON.stringify(value)}`);
}

export function loadUciReadmission(dataDir: string): LabelledDataset {
  const zipPath = join(dataDir, 'uci-diabetes-130', 'dataset_diabetes.zip');
  const text = extractZipEntry(readDataFile(zipPath), 'dataset_diabetes/diabetic_data.csv').toString('utf8');
  const builder = new MatrixBuilder(FEATURES, 102_000);
  const row = new Float64Array(FEATURES.length);
  const y: number[] = [];
  const groups: string[] = [];
  const sex: string[] = [];
  const ageBands: string[] = [];
  const deathOrHospice: number[] = [];
  let index: Map<string, number> | undefined;
  const needed = [
    'patient_nbr', 'race', 'gender', 'age', 'admission_type_id', 'discharge_disposition_id', 'admission_source_id',
    ...NUMERIC, 'A1Cresult', 'max_glu_serum', 'change', 'diabetesMed', ...UCI_MEDICATIONS, 'diag_1', 'diag_2', 'diag_3',
    'medical_specialty', LABEL,
  ];
  forEachCsvRow(text, (fields, rowIndex, header) => {
    const idx = (index ??= columnIndex(header, needed));
    const cell = (name: string) => fields[idx.get(name)!]!;
    const race = cell('race');
    const gender = cell('gender');
    const discharge = Number(cell('discharge_disposition_id'));
    let c = 0;
    const put = (v: number) => {
      row[c++] = v;
    };
    for (const r of RACES) put(race === r ? 1 : 0);
    put(gender === 'Female' ? 1 : gender === 'Male' ? 0 : NaN);
    put(ageMidpoint(cell('age')));
    putCodeGroups(put, Number(cell('admission_type_id')), ADMISSION_TYPE);
    putCodeGroups(put, discharge, DISCHARGE);
    putCodeGroups(put, Number(cell('admission_source_id')), ADMISSION_SOURCE);
    for (const n of NUMERIC) put(parseNumber(cell(n), MISSING));
    for (const v of resultLevel(cell('A1Cresult'), 'Norm', '>7', '>8')) put(v);
    for (const v of resultLevel(cell('max_glu_serum'), 'Norm', '>200', '>300')) put(v);
    put(cell('change') === 'Ch' ? 1 : 0);
    put(cell('diabetesMed') === 'Yes' ? 1 : 0);
    for (const m of UCI_MEDICATIONS) {
      const code = MEDICATION_CODE[cell(m)];
      if (code === undefined) throw new DatasetError('BAD_CSV', `row ${rowIndex}: ${m} is ${JSON.stringify(cell(m))}`);
      put(code);
    }
    for (const d of ['diag_1', 'diag_2', 'diag_3']) {
      const group = icd9Group(cell(d));
      for (const g of ICD9_GROUPS) put(g === group ? 1 : 0);
    }
    const specialty = specialtyGroup(cell('medical_specialty'));
    for (const sp of SPECIALTIES) put(sp === specialty ? 1 : 0);
    builder.push(row);
    // Label rule: readmitted within 30 days ('<30'); '>30' and 'NO' are negatives (data README).
    y.push(cell(LABEL) === '<30' ? 1 : 0);
    groups.push(cell('patient_nbr'));
    sex.push(gender === 'Female' ? 'female' : gender === 'Male' ? 'male' : 'unknown');
    ageBands.push(cell('age').replace(/^\[(\d+)-(\d+)\)$/, (_m, lo: string, hi: string) => `${lo}-${Number(hi) - 1}`));
    deathOrHospice.push(UCI_DEATH_OR_HOSPICE_CODES.includes(discharge) ? 1 : 0);
  });
  const X = builder.build();
  const testPath = join(dataDir, 'uci-diabetes-130', 'test-rows-readmitted-lt30.txt');
  return {
    name: 'uci-readmission',
    label: 'readmitted <30',
    X,
    y: Uint8Array.from(y),
    groups,
    testRows: readTestRows(testPath, X.rows),
    subgroups: { sex, ageBand: ageBands },
    rowFlags: { dischargedToDeathOrHospice: Uint8Array.from(deathOrHospice) },
    sources: [`${zipPath}!dataset_diabetes/diabetic_data.csv`, testPath],
  };
}
