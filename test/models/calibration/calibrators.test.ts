import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../../src/lib/random.ts';
import { brierScore } from '../../../src/models/evaluation/metrics.ts';
import { sigmoid } from '../../../src/models/evaluation/logistic-recalibration.ts';
import { IsotonicCalibrator, poolAdjacentViolators } from '../../../src/models/calibration/isotonic.ts';
import { PlattCalibrator } from '../../../src/models/calibration/platt.ts';
import { createCalibrator, restoreCalibrator } from '../../../src/models/calibration/calibrator.ts';

/** Overconfident raw scores: truth logit = 0.4 + 0.5 * raw logit. */
function miscalibrated(n: number, seed: number) {
  const rng = new Rng(seed);
  const p = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const lp = rng.normal(-1, 2);
    p[i] = sigmoid(lp);
    y[i] = rng.bernoulli(sigmoid(0.4 + 0.5 * lp)) ? 1 : 0;
  }
  return { p, y };
}

describe('pool-adjacent-violators', () => {
  it('pools the violating pair into its weighted mean', () => {
    expect(Array.from(poolAdjacentViolators([1, 3, 2, 4], [1, 1, 1, 1]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(poolAdjacentViolators([1, 3, 2, 4], [1, 1, 3, 1]))).toEqual([1, 2.25, 2.25, 4]);
    expect(Array.from(poolAdjacentViolators([3, 2, 1], [1, 1, 1]))).toEqual([2, 2, 2]);
  });
});

describe('IsotonicCalibrator', () => {
  it('gives the known step map with interpolation and clipping', () => {
    // raw 0.1 -> 0, 0.2 -> 1, 0.3 -> 0, 0.4 -> 1: PAV pools 0.2 and 0.3 into 0.5.
    const c = new IsotonicCalibrator().fit([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(c.knots).toEqual({ x: [0.1, 0.2, 0.3, 0.4], y: [0, 0.5, 0.5, 1] });
    const out = Array.from(c.transform([0.0, 0.1, 0.15, 0.25, 0.35, 0.4, 0.9]));
    expect(out[0]).toBe(0);
    expect(out[2]).toBeCloseTo(0.25, 12);
    expect(out[3]).toBeCloseTo(0.5, 12);
    expect(out[4]).toBeCloseTo(0.75, 12);
    expect(out[6]).toBe(1);
  });

  it('maps tied raw probabilities to one value', () => {
    const c = new IsotonicCalibrator().fit([0.5, 0.5, 0.5, 0.7], [1, 0, 0, 1]);
    expect(Array.from(c.transform([0.5]))).toEqual([1 / 3]);
  });

  it('is monotone non-decreasing for any data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 30 }),
        (rows, probes) => {
          const c = new IsotonicCalibrator().fit(
            rows.map(([p]) => p),
            rows.map(([, b]) => (b ? 1 : 0)),
          );
          const sorted = [...probes].sort((a, b) => a - b);
          const out = c.transform(sorted);
          for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]! - 1e-15);
          for (const v of out) expect(v >= 0 && v <= 1).toBe(true);
        },
      ),
    );
  });

  it('reduces the Brier score of overconfident predictions on new data', () => {
    const train = miscalibrated(5000, 1);
    const test = miscalibrated(5000, 2);
    const c = new IsotonicCalibrator().fit(train.p, train.y);
    const before = brierScore(test.p, test.y);
    const after = brierScore(c.transform(test.p), test.y);
    expect(after).toBeLessThan(before - 0.01);
  });
});

describe('PlattCalibrator', () => {
  it('recovers a known sigmoid: truth logit = 0.4 + 0.5 * raw logit', () => {
    const { p, y } = miscalibrated(30_000, 3);
    const { intercept, slope } = new PlattCalibrator().fit(p, y).coefficients;
    expect(intercept).toBeCloseTo(0.4, 1);
    expect(slope).toBeCloseTo(0.5, 1);
  });

  it('stays finite on separable data thanks to smoothed targets', () => {
    const c = new PlattCalibrator().fit([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    const out = c.transform([0.1, 0.9]);
    expect(Number.isFinite(c.coefficients.slope)).toBe(true);
    expect(out[0]!).toBeGreaterThan(0);
    expect(out[1]!).toBeLessThan(1);
    expect(out[1]!).toBeGreaterThan(out[0]!);
  });

  it('refuses to transform before fit', () => {
    expect(() => new PlattCalibrator().transform([0.5])).toThrow(/not fitted/);
  });
});

describe('save and reload', () => {
  for (const method of ['platt', 'isotonic'] as const) {
    it(`${method}: JSON round trip gives bit-identical output`, () => {
      const { p, y } = miscalibrated(3000, 4);
      const c = createCalibrator(method).fit(p, y);
      const restored = restoreCalibrator(JSON.parse(JSON.stringify(c.toJSON())));
      const probe = miscalibrated(1000, 5).p;
      expect(restored.method).toBe(method);
      expect(Array.from(restored.transform(probe))).toEqual(Array.from(c.transform(probe)));
    });
  }

  it('rejects a tampered isotonic state', () => {
    expect(() => restoreCalibrator({ method: 'isotonic', state: { x: [0.2, 0.1], y: [0, 1] } })).toThrow(/monotonicity/);
    expect(() => restoreCalibrator({ method: 'beta', state: {} })).toThrow(/unknown calibrator method/);
  });
});
