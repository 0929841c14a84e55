/**
 * NHANES 2013-2014 adults (shared/data/nhanes-2013-2014/README.md): 4,743 rows, two labels,
 * diabetes_dx (DIQ010 == 1, 12.67%) and htn_dx (BPQ020 == 1, 35.29%).
 *
 * Excluded from the features, because they leak a label or are one: SEQN (the participant id; used
 * as the group id), DIQ010 (the diabetes label's source question), BPQ020 (the hypertension label's
 * source question), and the other self-reported "ever told" diagnoses MCQ160C, diabetes_dx, htn_dx
 * and chd_dx, so both tasks use one feature set of measurements and demographics and neither sees
 * a sibling questionnaire label. The README's caveat stands: HbA1c and blood pressure of people
 * already diagnosed (and treated) sit in the features, so these are prevalence, not onset, tasks.
 * Codes kept as recorded: RIAGENDR 1 male / 2 female, RIDRETH1 1-5 (nominal: one-hot it for linear
 * models); SMQ020 (smoked 100 cigarettes in life) 1 yes / 2 no, with 7 refused / 9 don't know -> NaN.
 */
import { join } from 'node:path';
import { ageBand, columnIndex, forEachCsvRow, MatrixBuilder, parseNumber, readDataFile, readTestRows, type LabelledDataset } from './dataset.ts';

const FEATURES = ['RIDAGEYR', 'RIAGENDR', 'RIDRETH1', 'BMXBMI', 'BMXWAIST', 'BPXSY1', 'BPXDI1', 'LBXGH', 'LBXTC', 'LBDHDD', 'SMQ020'] as const;
/** Columns never used as features (see the module comment for why each). */
export const NHANES_EXCLUDED_COLUMNS: readonly string[] = ['SEQN', 'DIQ010', 'BPQ020', 'MCQ160C', 'diabetes_dx', 'htn_dx', 'chd_dx'];

export type NhanesLabel = 'diabetes_dx' | 'htn_dx';

function loadNhanes(dataDir: string, label: NhanesLabel, name: string): LabelledDataset {
  const csvPath = join(dataDir, 'nhanes-2013-2014', 'nhanes_adults_hba1c_bp.csv');
  const text = readDataFile(csvPath).toString('utf8');
  const builder = new MatrixBuilder(FEATURES);
  const y: number[] = [];
  const groups: string[] = [];
  const sex: string[] = [];
  const ages: string[] = [];
  forEachCsvRow(text, (fields, _row, header) => {
    const index = columnIndex(header, [...FEATURES, label, 'SEQN']);
    const values = FEATURES.map((f) => {
      const v = parseNumber(fields[index.get(f)!]!);
      return f === 'SMQ020' && (v === 7 || v === 9) ? NaN : v;
    });
    builder.push(values);
    y.push(parseNumber(fields[index.get(label)!]!));
    groups.push(fields[index.get('SEQN')!]!);
    sex.push(values[1] === 1 ? 'male' : values[1] === 2 ? 'female' : 'unknown');
    ages.push(ageBand(values[0]!));
  });
  const X = builder.build();
  const testPath = join(dataDir, 'nhanes-2013-2014', `test-rows-${label}.txt`);
  return {
    name,
    label,
    X,
    y: Uint8Array.from(y),
    groups,
    testRows: readTestRows(testPath, X.rows),
    subgroups: { sex, ageBand: ages },
    rowFlags: {},
    sources: [csvPath, testPath],
  };
}

/** NHANES with label diabetes_dx (self-reported "ever told you have diabetes"). */
export function loadNhanesDiabetes(dataDir: string): LabelledDataset {
  return loadNhanes(dataDir, 'diabetes_dx', 'nhanes-diabetes');
}

/** NHANES with label htn_dx (self-reported "ever told you have high blood pressure"). */
export function loadNhanesHypertension(dataDir: string): LabelledDataset {
  return loadNhanes(dataDir, 'htn_dx', 'nhanes-hypertension');
}
