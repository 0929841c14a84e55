import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/random.ts';
import { fitRandomInterceptLogit, GlmmError, randomEffectMode, sigmoid } from '../../../src/performance/adjustment/glmm.ts';

/** Simulated data with known fixed effects and random-intercept SD. */
function simulate(seed: number, groups: number, perGroup: number, beta: number[], sd: number) {
  const rng = new Rng(seed);
  const p = beta.length;
  const n = groups * perGroup;
  const X = new Float64Array(n * p);
  const y = new Uint8Array(n);
  const group = new Int32Array(n);
  const u = Array.from({ length: groups }, () => rng.normal(0, sd));
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / perGroup);
    group[i] = g;
    X[i * p] = 1;
    let eta = beta[0]! + u[g]!;
    for (let k = 1; k < p; k++) {
      const x = k === 2 ? (rng.bernoulli(0.4) ? 1 : 0) : rng.normal(0, 1);
      X[i * p + k] = x;
      eta += beta[k]! * x;
    }
    y[i] = rng.bernoulli(sigmoid(eta)) ? 1 : 0;
  }
  return { data: { X, p, y, group, groups }, u };
}

describe('random-intercept logistic GLMM', () => {
  it('recovers known fixed effects and the random-effect variance', () => {
    const beta = [-0.4, 0.8, -0.6, 0.3];
    const { data, u } = simulate(11, 60, 250, beta, 0.6);
    const fit = fitRandomInterceptLogit(data);
    expect(fit.converged).toBe(true);
    for (let k = 0; k < beta.length; k++) expect(Math.abs(fit.beta[k]! - beta[k]!)).toBeLessThan(0.12);
    // True variance 0.36; PQL with 250 per group is nearly unbiased.
    expect(fit.variance).toBeGreaterThan(0.36 * 0.6);
    expect(fit.variance).toBeLessThan(0.36 * 1.5);
    // Shrunken effects track the true ones.
    let num = 0;
    let du = 0;
    let dt = 0;
    for (let j = 0; j < u.length; j++) {
      num += fit.randomEffects[j]! * u[j]!;
      du += fit.randomEffects[j]! ** 2;
      dt += u[j]! ** 2;
    }
    expect(num / Math.sqrt(du * dt)).toBeGreaterThan(0.9);
    for (const v of fit.conditionalVariance) expect(v).toBeGreaterThan(0);
  });

  it('drives the variance to its floor when groups are identical', () => {
    const { data } = simulate(5, 20, 200, [0.2, 0.5], 0);
    const fit = fitRandomInterceptLogit(data);
    expect(fit.variance).toBeLessThan(0.02);
    for (const r of fit.randomEffects) expect(Math.abs(r)).toBeLessThan(0.1);
  });

  it('refuses a singular design and malformed input', () => {
    const n = 50;
    const X = new Float64Array(n * 2).fill(1);
    const y = Uint8Array.from({ length: n }, (_, i) => i % 2);
    expect(() => fitRandomInterceptLogit({ X, p: 2, y, group: new Int32Array(n), groups: 1 }, { ridge: 0 })).toThrow(GlmmError);
    // The default weak ridge keeps a duplicated column fittable (split between the two).
    const ridged = fitRandomInterceptLogit({ X, p: 2, y, group: new Int32Array(n), groups: 1 });
    expect(ridged.beta[0]! + ridged.beta[1]!).toBeCloseTo(0, 3);
    expect(() => fitRandomInterceptLogit({ X, p: 2, y, group: new Int32Array(n - 1), groups: 1 })).toThrow(/group has/);
  });

  it('randomEffectMode solves the one-institution score equation', () => {
    const offsets = [0, 0.5, -0.5, 1, 0];
    const y = [1, 1, 0, 1, 1];
    const sigma2 = 0.5;
    const u = randomEffectMode(offsets, y, sigma2);
    const score = offsets.reduce((s, o, i) => s + y[i]! - sigmoid(o + u), 0) - u / sigma2;
    expect(Math.abs(score)).toBeLessThan(1e-9);
  });
});
