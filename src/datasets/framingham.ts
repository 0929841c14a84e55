/**
 * Framingham teaching extract (shared/data/framingham/README.md): 4,240 participants, label
 * TenYearCHD (644 positives). Every other column is a feature as recorded ('NA' -> NaN); column 1
 * is `Gender` in this copy, 1 = male (the Kaggle original calls it `male`). No participant id: each
 * row is its own group.
 */
import { join } from 'node:path';
import { ageBand, columnIndex, forEachCsvRow, MatrixBuilder, parseNumber, readDataFile, readTestRows, type LabelledDataset } from './dataset.ts';

const LABEL = 'TenYearCHD';
const FEATURES = [
  'Gender', 'age', 'education', 'currentSmoker', 'cigsPerDay', 'BPMeds', 'prevalentStroke', 'prevalentHyp',
  'diabetes', 'totChol', 'sysBP', 'diaBP', 'BMI', 'heartRate', 'glucose',
] as const;

export function loadFramingham(dataDir: string): LabelledDataset {
  const csvPath = join(dataDir, 'framingham', 'framingham.csv');
  const text = readDataFile(csvPath).toString('utf8');
  const builder = new MatrixBuilder(FEATURES);
  const y: number[] = [];
  const groups: string[] = [];
  const sex: string[] = [];
  const ages: string[] = [];
  forEachCsvRow(text, (fields, row, header) => {
    const index = columnIndex(header, [...FEATURES, LABEL]);
    const values = FEATURES.map((f) => parseNumber(fields[index.get(f)!]!));
    builder.push(values);
    y.push(parseNumber(fields[index.get(LABEL)!]!));
    groups.push(`row-${row}`);
    sex.push(values[0] === 1 ? 'male' : values[0] === 0 ? 'female' : 'unknown');
    ages.push(ageBand(values[1]!));
  });
  const X = builder.build();
  const testPath = join(dataDir, 'framingham', `test-rows-${LABEL}.txt`);
  return {
    name: 'framingham',
    label: LABEL,
    X,
    y: Uint8Array.from(y),
    groups,
    testRows: readTestRows(testPath, X.rows),
    subgroups: { sex, ageBand: ages },
    rowFlags: {},
    sources: [csvPath, testPath],
  };
}
