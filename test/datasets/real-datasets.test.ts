/**
 * The adapters against the real files in the shared data folder (STRATUM_SHARED_DATA, default
 * ../shared/data from the project root). Counts are the ones the data READMEs verify.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/env.ts';
import { loadRealDataset, resolveSharedDataDir, type LabelledDataset } from '../../src/datasets/index.ts';
import { NHANES_EXCLUDED_COLUMNS } from '../../src/datasets/nhanes.ts';
import { loadPima } from '../../src/datasets/pima.ts';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = resolveSharedDataDir(loadEnv().STRATUM_SHARED_DATA, projectRoot);
const hasData = existsSync(dataDir);
if (!hasData) {
  console.warn(`[datasets] shared data folder ${dataDir} not found (STRATUM_SHARED_DATA): real-dataset adapter tests skipped`);
}

function lineCount(path: string): number {
  return readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').length;
}

const loaded = new Map<string, LabelledDataset>();
/** Each dataset is read once per file run (the UCI one takes a few seconds). */
function load(name: string): LabelledDataset {
  let d = loaded.get(name);
  if (!d) {
    d = loadRealDataset(name, dataDir);
    loaded.set(name, d);
  }
  return d;
}

function column(d: LabelledDataset, name: string): number[] {
  const j = d.X.featureNames.indexOf(name);
  expect(j).toBeGreaterThanOrEqual(0);
  return Array.from({ length: d.X.rows }, (_, i) => d.X.values[i * d.X.cols + j]!);
}

function positives(d: LabelledDataset): number {
  return d.y.reduce((s, v) => s + v, 0);
}

const cases: { name: string; rows: number; positives: number; testFile: string; labelColumns: string[]; cols: number }[] = [
  { name: 'framingham', rows: 4240, positives: 644, testFile: 'framingham/test-rows-TenYearCHD.txt', labelColumns: ['TenYearCHD'], cols: 15 },
  { name: 'pima', rows: 768, positives: 268, testFile: 'pima/test-rows-Outcome.txt', labelColumns: ['Outcome'], cols: 8 },
  {
    name: 'nhanes-diabetes',
    rows: 4743,
    positives: 601,
    testFile: 'nhanes-2013-2014/test-rows-diabetes_dx.txt',
    labelColumns: [...NHANES_EXCLUDED_COLUMNS],
    cols: 11,
  },
  {
    name: 'nhanes-hypertension',
    rows: 4743,
    positives: 1674,
    testFile: 'nhanes-2013-2014/test-rows-htn_dx.txt',
    labelColumns: [...NHANES_EXCLUDED_COLUMNS],
    cols: 11,
  },
  {
    name: 'uci-readmission',
    rows: 101_766,
    positives: 11_357,
    testFile: 'uci-diabetes-130/test-rows-readmitted-lt30.txt',
    labelColumns: ['readmitted', 'encounter_id', 'patient_nbr'],
    cols: 91,
  },
];

describe.skipIf(!hasData)('real dataset adapters', () => {
  for (const c of cases) {
    describe(c.name, () => {
      // Loaded in beforeAll, not at collection, so a missing folder only skips.
      let d: LabelledDataset;
      beforeAll(() => {
        d = load(c.name);
      });

      it('has the README row and positive counts', () => {
        expect(d.X.rows).toBe(c.rows);
        expect(d.y.length).toBe(c.rows);
        expect(d.groups.length).toBe(c.rows);
        expect(positives(d)).toBe(c.positives);
        expect(d.X.cols).toBe(c.cols);
        expect(d.X.values.length).toBe(c.rows * c.cols);
      });

      it('carries every published test row, each a data row', () => {
        expect(d.testRows.length).toBe(lineCount(join(dataDir, c.testFile)));
        expect(Math.max(...d.testRows)).toBeLessThan(c.rows);
        // The published split is stratified 80/20: its prevalence is the overall one to within 1%.
        const testPositives = Array.from(d.testRows).reduce((s, r) => s + d.y[r]!, 0);
        expect(Math.abs(testPositives / d.testRows.length - c.positives / c.rows)).toBeLessThan(0.01);
      });

      it('has no label or id column among its features', () => {
        for (const col of c.labelColumns) expect(d.X.featureNames).not.toContain(col);
        expect(new Set(d.X.featureNames).size).toBe(d.X.cols);
      });

      it('gives subgroup keys for every row', () => {
        for (const values of Object.values(d.subgroups)) expect(values.length).toBe(c.rows);
      });
    });
  }

  it('pima: zeros are kept as recorded by default', () => {
    const glucose = column(load('pima'), 'Glucose');
    expect(glucose.filter((v) => v === 0).length).toBe(5);
    expect(glucose.some(Number.isNaN)).toBe(false);
  });

  it('pima with zerosAsMissing: zeros meaning missing became NaN, real zero pregnancies stayed', () => {
    const d = loadPima(dataDir, { zerosAsMissing: true });
    const col = (name: string) => column(d, name);
    // Known counts of zeros in the source (README: "zeros stand for missing").
    expect(col('Glucose').filter(Number.isNaN).length).toBe(5);
    expect(col('BloodPressure').filter(Number.isNaN).length).toBe(35);
    expect(col('Insulin').filter(Number.isNaN).length).toBe(374);
    expect(col('BMI').filter(Number.isNaN).length).toBe(11);
    expect(col('Glucose').some((v) => v === 0)).toBe(false);
    expect(col('Pregnancies').filter((v) => v === 0).length).toBe(111);
  });

  it('uci: patient_nbr groups, A1C coding and the death/hospice flag match the README', () => {
    const d = load('uci-readmission');
    expect(new Set(d.groups).size).toBe(71_518);
    const col = (name: string) => column(d, name);
    const a1c = col('a1c_level');
    // README: A1Cresult None 84,748 / >8 8,216 / Norm 4,990 / >7 3,812.
    expect(a1c.filter(Number.isNaN).length).toBe(84_748);
    expect(a1c.filter((v) => v === 2).length).toBe(8_216);
    expect(a1c.filter((v) => v === 0).length).toBe(4_990);
    expect(a1c.filter((v) => v === 1).length).toBe(3_812);
    const glucose = col('glucose_serum_level');
    expect(glucose.filter((v) => v === 1).length).toBe(1_485);
    const flags = d.rowFlags.dischargedToDeathOrHospice!;
    const flagged = flags.reduce((s, v) => s + v, 0);
    expect(flagged).toBe(col('discharge_expired').filter((v) => v === 1).length + col('discharge_hospice').filter((v) => v === 1).length);
  });
});
