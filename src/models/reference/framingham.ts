/**
 * Framingham CHD points score (Wilson PWF, D'Agostino RB et al. "Prediction of coronary heart
 * disease using risk factor categories", Circulation 1998;97:1837-1847, Figures 3 and 4: the
 * sex-specific point sheets, total-cholesterol and LDL-cholesterol versions). Outcome: 10-year
 * CHD, the label of the Framingham extract and of the synthetic `onset-chd` task.
 *
 * Substitutions, the same for every source:
 * - no HDL cholesterol is recorded: every row takes the 0-point HDL category (men 45-59, women
 *   50-59 mg/dL), so the score ranks on the other factors;
 * - blood pressure: the higher of the SBP and DBP JNC-V categories, as Wilson scores it; where no
 *   DBP is mapped, SBP alone places the row; treatment is not asked (Wilson's sheet does not);
 * - ages outside 30-74 take the nearest age band of the sheet;
 * - a missing input (including sex) scores its 0-point category: age 35-39 men / 40-44 women,
 *   cholesterol 160-199 TC or 100-159 LDL, optimal-to-normal BP, no diabetes, non-smoker; a
 *   missing sex uses the men's sheet.
 */
import type { FeatureMatrix } from '../risk-model.ts';
import { cell, columnsOf, type ReferenceScore } from './reference-score.ts';

export type Sex = 'male' | 'female';

/** mg/dL per mmol/L of cholesterol (molar mass 386.65 g/mol). */
export const CHOLESTEROL_MG_DL_PER_MMOL_L = 38.67;

/** Upper bounds (exclusive) of the age bands 30-34 ... 65-69; 70-74 and above is the last band. */
const AGE_BOUNDS = [35, 40, 45, 50, 55, 60, 65, 70];
/** Wilson 1998, Figures 3-4: age points per band 30-34 ... 70-74 (the same in the TC and LDL sheets). */
const AGE_POINTS: Record<Sex, readonly number[]> = {
  male: [-1, 0, 1, 2, 3, 4, 5, 6, 7],
  female: [-9, -4, 0, 3, 6, 7, 8, 8, 8],
};

/** Age points; NaN scores 0 (the reference band). */
export function agePoints(sex: Sex, age: number): number {
  if (!Number.isFinite(age)) return 0;
  let band = AGE_BOUNDS.findIndex((b) => age < b);
  if (band < 0) band = AGE_BOUNDS.length;
  return AGE_POINTS[sex][band]!;
}

/** Cholesterol bands, mg/dL: TC <160, 160-199, 200-239, 240-279, >=280; LDL <100, 100-129, 130-159, 160-189, >=190. */
const CHOLESTEROL_BOUNDS = { total: [160, 200, 240, 280], ldl: [100, 130, 160, 190] } as const;
const CHOLESTEROL_POINTS: Record<'total' | 'ldl', Record<Sex, readonly number[]>> = {
  total: { male: [-3, 0, 1, 2, 3], female: [-2, 0, 1, 1, 3] },
  ldl: { male: [-3, 0, 0, 1, 2], female: [-2, 0, 0, 2, 2] },
};

/** Cholesterol points for a value in mg/dL; NaN scores 0 (the reference band). */
export function cholesterolPoints(sex: Sex, kind: 'total' | 'ldl', mgPerDl: number): number {
  if (!Number.isFinite(mgPerDl)) return 0;
  let band = CHOLESTEROL_BOUNDS[kind].findIndex((b) => mgPerDl < b);
  if (band < 0) band = CHOLESTEROL_BOUNDS[kind].length;
  return CHOLESTEROL_POINTS[kind][sex][band]!;
}

/** JNC-V category: 0 optimal (<120/<80), 1 normal (120-129/80-84), 2 high normal (130-139/85-89), 3 stage I (140-159/90-99), 4 stage II+ (>=160/>=100). */
export function bloodPressureCategory(systolic: number, diastolic: number): number {
  const s = Number.isFinite(systolic) ? [120, 130, 140, 160].filter((b) => systolic >= b).length : 0;
  const d = Number.isFinite(diastolic) ? [80, 85, 90, 100].filter((b) => diastolic >= b).length : 0;
  // Wilson 1998: "when systolic and diastolic pressures fall into different categories, the higher category applies".
  return Math.max(s, d);
}

/**
 * Blood-pressure points per JNC-V category (optimal ... stage II). In the women's sheet optimal
 * scores -3; a missing reading is placed in "normal" (0 points), the reference category.
 */
const BP_POINTS: Record<'total' | 'ldl', Record<Sex, readonly number[]>> = {
  total: { male: [0, 0, 1, 2, 3], female: [-3, 0, 0, 2, 3] },
  ldl: { male: [0, 0, 1, 2, 3], female: [-3, 0, 0, 2, 3] },
};

export function bloodPressurePoints(sex: Sex, kind: 'total' | 'ldl', systolic: number, diastolic: number): number {
  if (!Number.isFinite(systolic) && !Number.isFinite(diastolic)) return 0;
  return BP_POINTS[kind][sex][bloodPressureCategory(systolic, diastolic)]!;
}

/** Diabetes: men 2, women 4; smoking: 2 for both (Wilson 1998, Figures 3-4, both sheets). */
const DIABETES_POINTS: Record<Sex, number> = { male: 2, female: 4 };
const SMOKER_POINTS = 2;

/** One person's inputs (cholesterol in mg/dL). */
export interface FraminghamInputs {
  sex: Sex | null;
  age: number;
  cholesterolMgDl: number;
  systolic: number;
  diastolic?: number;
  smoker: boolean | null;
  diabetes: boolean | null;
}

/** Total points for one person from the TC or LDL sheet; HDL is absent and takes its 0-point band. */
export function framinghamPoints(kind: 'total' | 'ldl', p: FraminghamInputs): number {
  const sex: Sex = p.sex ?? 'male';
  return (
    agePoints(sex, p.age) +
    cholesterolPoints(sex, kind, p.cholesterolMgDl) +
    bloodPressurePoints(sex, kind, p.systolic, p.diastolic ?? Number.NaN) +
    (p.diabetes ? DIABETES_POINTS[sex] : 0) +
    (p.smoker ? SMOKER_POINTS : 0)
  );
}

/** How a data source's features stand in for the score's inputs. */
export interface FraminghamMapping {
  /** 1 = male, 0 = female. */
  male: string;
  age: string;
  cholesterol: string;
  /** Which sheet, and the unit of the cholesterol feature. */
  cholesterolKind: 'total' | 'ldl';
  cholesterolUnit: 'mg/dL' | 'mmol/L';
  systolic: string;
  /** Optional: used when the feature is present. */
  diastolic?: string;
  smoker: string;
  diabetes: string;
  substitutions: string;
}

export const FRAMINGHAM_MAPPINGS = {
  /** The synthetic `onset-chd` task (src/features/definitions.ts). */
  'onset-chd': {
    male: 'male',
    age: 'age',
    cholesterol: 'ldl',
    cholesterolKind: 'ldl',
    cholesterolUnit: 'mmol/L',
    systolic: 'systolic',
    diastolic: 'diastolic',
    smoker: 'smoker',
    diabetes: 'has_diabetes',
    substitutions: 'LDL sheet with ldl converted from mmol/L (x 38.67); no HDL (0-point band); latest systolic/diastolic, treatment not asked',
  },
  /** Framingham teaching extract (src/datasets/framingham.ts): column 1 is `Gender`, 1 = male. */
  framingham: {
    male: 'Gender',
    age: 'age',
    cholesterol: 'totChol',
    cholesterolKind: 'total',
    cholesterolUnit: 'mg/dL',
    systolic: 'sysBP',
    diastolic: 'diaBP',
    smoker: 'currentSmoker',
    diabetes: 'diabetes',
    substitutions: 'total-cholesterol sheet (totChol, mg/dL); no HDL (0-point band); sysBP/diaBP at baseline, BPMeds not asked',
  },
} as const satisfies Record<string, FraminghamMapping>;

type FraminghamInput = 'male' | 'age' | 'cholesterol' | 'systolic' | 'diastolic' | 'smoker' | 'diabetes';

const flag = (v: number): boolean | null => (Number.isFinite(v) ? v === 1 : null);

/** The Framingham CHD points score over a matrix whose features follow `mapping`. */
export function framinghamScore(mapping: FraminghamMapping): ReferenceScore {
  const names: Partial<Record<FraminghamInput, string>> = {
    male: mapping.male,
    age: mapping.age,
    cholesterol: mapping.cholesterol,
    systolic: mapping.systolic,
    smoker: mapping.smoker,
    diabetes: mapping.diabetes,
  };
  const required = Object.keys(names) as FraminghamInput[];
  if (mapping.diastolic) names.diastolic = mapping.diastolic;
  const toMgDl = mapping.cholesterolUnit === 'mmol/L' ? CHOLESTEROL_MG_DL_PER_MMOL_L : 1;
  return {
    name: 'framingham-chd',
    citation: `Wilson PWF et al. Circulation 1998;97:1837-1847, ${mapping.cholesterolKind === 'total' ? 'total-cholesterol' : 'LDL'} point sheets`,
    substitutions: mapping.substitutions,
    score(X: FeatureMatrix): Float64Array {
      const col = columnsOf('framingham-chd', X, names, required);
      const out = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) {
        const male = flag(cell(X, i, col.male));
        out[i] = framinghamPoints(mapping.cholesterolKind, {
          sex: male === null ? null : male ? 'male' : 'female',
          age: cell(X, i, col.age),
          cholesterolMgDl: cell(X, i, col.cholesterol) * toMgDl,
          systolic: cell(X, i, col.systolic),
          diastolic: col.diastolic === undefined ? Number.NaN : cell(X, i, col.diastolic),
          smoker: flag(cell(X, i, col.smoker)),
          diabetes: flag(cell(X, i, col.diabetes)),
        });
      }
      return out;
    },
  };
}
