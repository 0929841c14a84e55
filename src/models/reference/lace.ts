/**
 * The LACE index for death or unplanned readmission within 30 days of discharge
 * (van Walraven C et al., CMAJ 2010;182(6):551-557, Table 3): L length of stay, A acute
 * (emergent) admission, C Charlson comorbidity index, E emergency-department visits in the
 * previous 6 months. Range 0-19.
 *
 * No data source here carries a full Charlson index, so each mapping names its proxy (see
 * `LACE_MAPPINGS`). A missing input scores 0 points, the reference category of its component
 * (0 days, elective admission, no comorbidity, no ED visit): the score then ranks on what is known.
 */
import type { FeatureMatrix } from '../risk-model.ts';
import { cell, columnsOf, type ReferenceScore } from './reference-score.ts';

/** Points for the length of stay in whole days (van Walraven 2010, Table 3: <1 d 0, 1 1, 2 2, 3 3, 4-6 4, 7-13 5, >=14 7). */
export function lengthOfStayPoints(days: number): number {
  if (!Number.isFinite(days) || days < 1) return 0;
  const d = Math.floor(days);
  if (d <= 3) return d;
  if (d <= 6) return 4;
  if (d <= 13) return 5;
  return 7;
}

/** Acute (emergent) admission scores 3 points (van Walraven 2010, Table 3). */
export const ACUTE_ADMISSION_POINTS = 3;

/** Points for the Charlson comorbidity index (van Walraven 2010, Table 3: 0 0, 1 1, 2 2, 3 3, >=4 5). */
export function charlsonPoints(index: number): number {
  if (!Number.isFinite(index) || index < 1) return 0;
  const c = Math.floor(index);
  return c >= 4 ? 5 : c;
}

/** One point per ED visit in the previous 6 months, capped at 4 (van Walraven 2010, Table 3). */
export function edVisitPoints(visits: number): number {
  if (!Number.isFinite(visits) || visits < 1) return 0;
  return Math.min(Math.floor(visits), 4);
}

/** How a data source's features stand in for the four LACE inputs. */
export interface LaceMapping {
  /** Length of stay, days. */
  lengthOfStay: string;
  /** 0/1 features; the admission is acute when one of them is 1 (or, with `acuteWhenZero`, when it is 0). */
  acute: readonly string[];
  /** The acute feature is a `planned` flag: acute = not planned. */
  acuteWhenZero?: boolean;
  /** Features summed to give the Charlson proxy. */
  charlson: readonly string[];
  /** Subtract this from the Charlson proxy sum before scoring (e.g. the principal diagnosis). */
  charlsonOffset?: number;
  edVisits: string;
  substitutions: string;
}

/** Feature mappings per data source (task or dataset name). */
export const LACE_MAPPINGS = {
  /** The synthetic `readmission` task (src/features/definitions.ts). */
  readmission: {
    lengthOfStay: 'length_of_stay',
    acute: ['planned_admission'],
    acuteWhenZero: true,
    charlson: ['n_chronic', 'n_complications'],
    edVisits: 'ed_visits_6m',
    substitutions:
      'A = not planned_admission; C proxy = n_chronic + n_complications (a count of conditions, not Charlson weights); E = ed_visits_6m',
  },
  /** UCI Diabetes 130-US hospitals (src/datasets/uci-readmission.ts). */
  'uci-readmission': {
    lengthOfStay: 'time_in_hospital',
    acute: ['admission_type_emergency', 'admission_type_urgent'],
    charlson: ['number_diagnoses'],
    // number_diagnoses counts the principal diagnosis too; Charlson counts comorbidities only.
    charlsonOffset: 1,
    edVisits: 'number_emergency',
    substitutions:
      'A = admission type emergency or urgent; C proxy = number_diagnoses - 1 (secondary diagnoses, unweighted, so it saturates at 5 points for most encounters); ' +
      'E = number_emergency, which counts ED visits in the preceding 12 months, not 6',
  },
} as const satisfies Record<string, LaceMapping>;

type LaceInput = 'los' | 'edVisits' | `acute${number}` | `charlson${number}`;

/** The LACE index over a matrix whose features follow `mapping`. */
export function laceScore(mapping: LaceMapping): ReferenceScore {
  const names: Partial<Record<LaceInput, string>> = { los: mapping.lengthOfStay, edVisits: mapping.edVisits };
  mapping.acute.forEach((f, k) => (names[`acute${k}`] = f));
  mapping.charlson.forEach((f, k) => (names[`charlson${k}`] = f));
  const required = Object.keys(names) as LaceInput[];
  return {
    name: 'lace',
    citation: 'van Walraven C et al. CMAJ 2010;182(6):551-557, Table 3',
    substitutions: mapping.substitutions,
    score(X: FeatureMatrix): Float64Array {
      const col = columnsOf('lace', X, names, required);
      const out = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) {
        let acute = false;
        for (let k = 0; k < mapping.acute.length; k++) {
          const v = cell(X, i, col[`acute${k}`] ?? -1);
          // Missing: elective, the 0-point category.
          if (Number.isFinite(v) && (mapping.acuteWhenZero ? v === 0 : v === 1)) acute = true;
        }
        let comorbidity = 0;
        for (let k = 0; k < mapping.charlson.length; k++) {
          const v = cell(X, i, col[`charlson${k}`] ?? -1);
          if (Number.isFinite(v)) comorbidity += v;
        }
        comorbidity -= mapping.charlsonOffset ?? 0;
        out[i] =
          lengthOfStayPoints(cell(X, i, col.los)) +
          (acute ? ACUTE_ADMISSION_POINTS : 0) +
          charlsonPoints(comorbidity) +
          edVisitPoints(cell(X, i, col.edVisits));
      }
      return out;
    },
  };
}
