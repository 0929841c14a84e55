import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../../src/lib/random.ts';
import { EvaluationError } from '../../../src/models/evaluation/errors.ts';
import {
  aucScore,
  aucWithConfidence,
  brierScore,
  calibrationSlopeIntercept,
  evaluateBinary,
  logLoss,
  midranks,
  normalQuantile,
  reliabilityDiagram,
  topFractionMetrics,
} from '../../../src/models/evaluation/metrics.ts';
import { sigmoid } from '../../../src/models/evaluation/logistic-recalibration.ts';

/** Brute-force AUC over all positive/negative pairs, the definition itself. */
function pairwiseAuc(p: number[], y: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < p.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < p.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Expand a rating table into scores and labels (Hanley & McNeil 1982, Table I). */
function hanleyMcNeil(): { p: number[]; y: number[] } {
  const normal = [33, 6, 6, 11, 2];
  const abnormal = [3, 2, 2, 11, 33];
  const p: number[] = [];
  const y: number[] = [];
  normal.forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      p.push((k + 1) / 5);
      y.push(0);
    }
  });
  abnormal.forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      p.push((k + 1) / 5);
      y.push(1);
    }
  });
  return { p, y };
}

function simulate(n: number, seed: number, truth: (logit: number) => number) {
  const rng = new Rng(seed);
  const p = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const lp = rng.normal(-1.5, 1.2);
    p[i] = sigmoid(lp);
    y[i] = rng.bernoulli(sigmoid(truth(lp))) ? 1 : 0;
  }
  return { p, y };
}

describe('midranks', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(Array.from(midranks([3, 1, 3, 2, 3]))).toEqual([4, 1, 4, 2, 4]);
  });
});

describe('AUC', () => {
  it('matches the hand count on a four-row example (3 of 4 pairs ordered)', () => {
    expect(aucScore([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts a tied positive/negative pair as one half', () => {
    // pairs: (0.5 vs 0.5) = 1/2, (0.5 vs 0.2) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.2) = 1 -> 3.5 / 4
    expect(aucScore([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBe(0.875);
    expect(aucScore([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0])).toBe(0.5);
  });

  it('reproduces the published Hanley & McNeil (1982) rating-scale area 0.8932', () => {
    const { p, y } = hanleyMcNeil();
    expect(aucScore(p, y)).toBeCloseTo(0.8932, 4);
  });

  it('equals the pairwise definition on random tied data', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (rows) => {
        const p = rows.map(([v]) => v / 5);
        const y = rows.map(([, b]) => (b ? 1 : 0));
        fc.pre(y.includes(0) && y.includes(1));
        expect(aucScore(p, y)).toBeCloseTo(pairwiseAuc(p, y), 12);
      }),
    );
  });

  it('refuses a single class and mismatched lengths with typed errors', () => {
    expect(() => aucScore([0.1, 0.2], [1, 1])).toThrow(EvaluationError);
    expect(() => aucScore([0.1, 0.2], [1, 1])).toThrow(/both classes/);
    expect(() => aucScore([0.1], [1, 0])).toThrow(/1 predictions but 2 labels/);
    expect(() => aucScore([0.1, 1.2], [1, 0])).toThrow(/probability/);
  });
});

describe('DeLong interval', () => {
  it('matches the hand-computed variance on the four-row example', () => {
    // V10 = [0.5, 1], V01 = [1, 0.5]; S10 = S01 = 0.125; var = 0.125/2 + 0.125/2 = 0.125.
    const ci = aucWithConfidence([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(ci.standardError).toBeCloseTo(Math.sqrt(0.125), 12);
    expect(ci.lower).toBeCloseTo(0.75 - 1.959963985 * Math.sqrt(0.125), 8);
    expect(ci.upper).toBe(1);
  });

  it('is close to the Hanley & McNeil standard error (0.0320) on their data', () => {
    const { p, y } = hanleyMcNeil();
    const ci = aucWithConfidence(p, y);
    expect(ci.standardError).toBeGreaterThan(0.028);
    expect(ci.standardError).toBeLessThan(0.036);
    expect(ci.lower).toBeLessThan(0.8932);
    expect(ci.upper).toBeGreaterThan(0.8932);
  });

  it('agrees with a bootstrap standard error within 15%', () => {
    const { p, y } = simulate(600, 7, (lp) => lp);
    const ci = aucWithConfidence(p, y);
    const rng = new Rng(99);
    const draws: number[] = [];
    const bp = new Float64Array(p.length);
    const by = new Uint8Array(p.length);
    for (let b = 0; b < 400; b++) {
      for (let i = 0; i < p.length; i++) {
        const k = rng.int(0, p.length - 1);
        bp[i] = p[k]!;
        by[i] = y[k]!;
      }
      draws.push(aucScore(bp, by));
    }
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws.length - 1));
    expect(Math.abs(ci.standardError - sd) / sd).toBeLessThan(0.15);
  });

  it('uses the right normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853627, 8);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829304, 8);
  });
});

describe('Brier score and log loss', () => {
  it('gives the hand-computed values', () => {
    // (0.9-1)^2 + (0.2-0)^2 + (0.6-1)^2 + (0.5-0)^2 = 0.01 + 0.04 + 0.16 + 0.25 = 0.46 -> / 4
    expect(brierScore([0.9, 0.2, 0.6, 0.5], [1, 0, 1, 0])).toBeCloseTo(0.115, 12);
    expect(logLoss([0.9, 0.2, 0.6, 0.5], [1, 0, 1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.5)) / 4, 12);
  });

  it('keeps log loss finite for a confident miss', () => {
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true);
  });
});

describe('calibration slope and intercept', () => {
  it('gives slope ~1 and intercepts ~0 for perfectly calibrated predictions', () => {
    const { p, y } = simulate(20_000, 1, (lp) => lp);
    const c = calibrationSlopeIntercept(p, y);
    expect(c.converged).toBe(true);
    expect(c.slope).toBeGreaterThan(0.93);
    expect(c.slope).toBeLessThan(1.07);
    expect(Math.abs(c.intercept)).toBeLessThan(0.1);
    expect(Math.abs(c.calibrationInTheLarge)).toBeLessThan(0.05);
  });

  it('recovers a known miscalibration: truth logit = 0.5 + 0.6 * logit(p)', () => {
    const { p, y } = simulate(40_000, 2, (lp) => 0.5 + 0.6 * lp);
    const c = calibrationSlopeIntercept(p, y);
    expect(c.slope).toBeCloseTo(0.6, 1);
    expect(c.intercept).toBeCloseTo(0.5, 1);
  });

  it('signals risk underestimated with a positive calibration-in-the-large', () => {
    const { p, y } = simulate(20_000, 3, (lp) => lp + 0.7);
    const c = calibrationSlopeIntercept(p, y);
    expect(c.calibrationInTheLarge).toBeGreaterThan(0.6);
    expect(c.calibrationInTheLarge).toBeLessThan(0.8);
    expect(c.observedRate).toBeGreaterThan(c.meanPredicted);
  });
});

describe('reliability diagram', () => {
  it('bins equal-width with mean predicted, observed rate and count, skipping empty bins', () => {
    const bins = reliabilityDiagram([0.05, 0.15, 0.12, 0.95, 0.91], [0, 0, 1, 1, 1], { bins: 10, strategy: 'uniform' });
    expect(bins.map((b) => b.count)).toEqual([1, 2, 2]);
    expect(bins[1]!.meanPredicted).toBeCloseTo(0.135, 12);
    expect(bins[1]!.observedRate).toBe(0.5);
    expect(bins[2]!.lower).toBe(0.9);
  });

  it('bins equal-count into runs differing by at most one', () => {
    const p = Array.from({ length: 103 }, (_, i) => i / 103);
    const y = p.map((v) => (v > 0.5 ? 1 : 0));
    const bins = reliabilityDiagram(p, y, { bins: 10 });
    expect(bins).toHaveLength(10);
    const counts = bins.map((b) => b.count);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(103);
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.lower).toBeGreaterThanOrEqual(bins[i - 1]!.upper);
  });
});

describe('top-fraction precision, recall and lift', () => {
  it('matches the hand count on a ten-row list', () => {
    const p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
    const y = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0];
    const [top10, top20, top50] = topFractionMetrics(p, y, [0.1, 0.2, 0.5]);
    expect(top10).toMatchObject({ listSize: 1, positivesOnList: 1, precision: 1, threshold: 0.9 });
    expect(top10!.lift).toBeCloseTo(1 / 0.3, 12);
    expect(top20).toMatchObject({ listSize: 2, positivesOnList: 1, precision: 0.5 });
    expect(top20!.recall).toBeCloseTo(1 / 3, 12);
    expect(top20!.lift).toBeCloseTo(0.5 / 0.3, 12);
    expect(top50).toMatchObject({ listSize: 5, positivesOnList: 2, threshold: 0.5 });
  });

  it('rounds the list size up without a floating-point extra row', () => {
    const p = Array.from({ length: 100 }, (_, i) => i / 100);
    const y = p.map((_, i) => i % 2);
    expect(topFractionMetrics(p, y, [0.1, 0.05, 0.2]).map((r) => r.listSize)).toEqual([10, 5, 20]);
    expect(topFractionMetrics(p.slice(0, 7), y.slice(0, 7), [0.05])[0]!.listSize).toBe(1);
  });
});

describe('evaluateBinary', () => {
  it('bundles every figure for one prediction set', () => {
    const { p, y } = simulate(2000, 4, (lp) => lp);
    const e = evaluateBinary(p, y);
    expect(e.n).toBe(2000);
    expect(e.auc.auc).toBeCloseTo(aucScore(p, y), 15);
    expect(e.topFractions.map((t) => t.fraction)).toEqual([0.05, 0.1, 0.2]);
    expect(e.reliability.reduce((s, b) => s + b.count, 0)).toBe(2000);
  });
});
