import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../../../src/models/risk-model.ts';
import { createLearner } from '../../../src/models/learners/index.ts';
import type { LearnerKind } from '../../../src/models/learners/index.ts';
import { auc } from './simulate.ts';

// Shared data is read in place (never copied), through STRATUM_SHARED_DATA like the app does.
const sharedData = resolve(process.cwd(), process.env.STRATUM_SHARED_DATA ?? '../shared/data');
const csvPath = resolve(sharedData, 'framingham/framingham.csv');
const testRowsPath = resolve(sharedData, 'framingham/test-rows-TenYearCHD.txt');
const available = existsSync(csvPath) && existsSync(testRowsPath);
if (!available) console.warn(`Framingham checks skipped: ${csvPath} or ${testRowsPath} not found (set STRATUM_SHARED_DATA)`);

function load(): { train: FeatureMatrix; trainY: Uint8Array; test: FeatureMatrix; testY: Uint8Array } {
  const lines = readFileSync(csvPath, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0]!.split(',');
  const label = header.indexOf('TenYearCHD');
  const featureNames = header.filter((_, j) => j !== label);
  const testRows = new Set(readFileSync(testRowsPath, 'utf8').split(/\s+/).filter(Boolean).map(Number));
  const parts = { train: [] as number[][], test: [] as number[][], trainY: [] as number[], testY: [] as number[] };
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    const x = cells.filter((_, j) => j !== label).map((c) => (c === 'NA' || c === '' ? NaN : Number(c)));
    const side = testRows.has(i) ? 'test' : 'train';
    parts[side].push(x);
    parts[side === 'test' ? 'testY' : 'trainY'].push(Number(cells[label]));
  });
  const matrix = (rows: number[][]): FeatureMatrix => ({ rows: rows.length, cols: featureNames.length, values: Float64Array.from(rows.flat()), featureNames });
  return { train: matrix(parts.train), trainY: Uint8Array.from(parts.trainY), test: matrix(parts.test), testY: Uint8Array.from(parts.testY) };
}

// scikit-learn 1.2 on the same split (shared/data/README.md): logreg 0.699, forest(200) 0.633, HGB 0.616.
const floors: [LearnerKind, Record<string, unknown>, number][] = [
  ['logreg', {}, 0.69],
  ['hgb', {}, 0.6],
  ['forest', { nEstimators: 100, minSamplesLeaf: 10 }, 0.62],
];

describe.runIf(available)('Framingham TenYearCHD, the shared 80/20 split', () => {
  const data = available ? load() : null;
  it('has the documented split', () => {
    expect(data!.train.rows + data!.test.rows).toBe(4240);
    expect(data!.test.rows).toBe(848);
  });
  it.each(floors)('%s reaches the scikit-learn neighbourhood', async (kind, params, floor) => {
    const model = await createLearner(kind, params).fit(data!.train, data!.trainY, { seed: 1 });
    expect(auc(model.predictProba(data!.test), data!.testY)).toBeGreaterThanOrEqual(floor);
  });
});
