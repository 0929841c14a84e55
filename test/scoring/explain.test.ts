import { describe, expect, it } from 'vitest';
import { CalibratedModel } from '../../src/models/calibration/calibrated-model.ts';
import { createCalibrator } from '../../src/models/calibration/calibrator.ts';
import { createLearner } from '../../src/models/learners/index.ts';
import { matrixFromRows } from '../../src/models/risk-model.ts';
import { Rng } from '../../src/lib/random.ts';
import { topFactors } from '../../src/scoring/explain.ts';

const features = [
  { name: 'age', description: 'age in years' },
  { name: 'smoker', description: 'current smoker' },
  { name: 'bmi', description: 'latest BMI' },
];

describe('top factors a clinician reads', () => {
  it('lists only factors that raised the risk, largest first, in words with the member’s value', async () => {
    const rng = new Rng(3);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const row = [rng.normal(55, 10), rng.bernoulli(0.3) ? 1 : 0, rng.normal(25, 3)];
      rows.push(row);
      y.push(rng.bernoulli(1 / (1 + Math.exp(-(-8 + 0.1 * row[0]! + 1.5 * row[1]! + 0 * row[2]!)))) ? 1 : 0);
    }
    const X = matrixFromRows(rows, features.map((f) => f.name));
    const base = await createLearner('logreg', {}).fit(X, Uint8Array.from(y));
    const model = CalibratedModel.fromFitted(base, createCalibrator('none').fit(new Float64Array(0), new Uint8Array(0)));
    const member = matrixFromRows([[80, 1, Number.NaN]], features.map((f) => f.name));
    const factors = topFactors(model, member, 0, features);
    expect(factors.map((f) => f.feature)).toEqual(['age', 'smoker']);
    expect(factors[0]!.text).toBe('age in years: 80');
    expect(factors[1]!.text).toBe('current smoker');
    expect(factors[0]!.contribution).toBeGreaterThan(factors[1]!.contribution);
    const young = matrixFromRows([[30, 0, Number.NaN]], features.map((f) => f.name));
    expect(topFactors(model, young, 0, features).map((f) => f.feature)).not.toContain('age');
  });
});
