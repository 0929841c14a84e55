/** Seeded simulated tables for the learner tests and benchmark. */
import { Rng } from '../../../src/lib/random.ts';
import type { FeatureMatrix } from '../../../src/models/risk-model.ts';

export interface Simulated {
  X: FeatureMatrix;
  y: Uint8Array;
}

/**
 * A nonlinear problem: log-odds = 1.5*[x0 > 0.5] - 1.2*x1^2 + x2*x3 + 0.8*x4 - 0.3, plus
 * `noise` irrelevant features; `missingRate` of cells are set to NaN.
 */
export function simulateNonlinear(rows: number, cols: number, seed: number, missingRate = 0): Simulated {
  const rng = new Rng(seed);
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = rng.normal();
    const x = (j: number) => values[i * cols + j]!;
    const z = 1.5 * (x(0) > 0.5 ? 1 : 0) - 1.2 * x(1) * x(1) + x(2) * x(3) + 0.8 * x(4) + 0.3;
    y[i] = rng.next() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
    if (missingRate > 0) for (let j = 0; j < cols; j++) if (rng.next() < missingRate) values[i * cols + j] = NaN;
  }
  return { X: { rows, cols, values, featureNames: Array.from({ length: cols }, (_, j) => `x${j}`) }, y };
}

/** A logistic-regression world with known coefficients. */
export function simulateLogistic(rows: number, intercept: number, coefficients: readonly number[], seed: number): Simulated {
  const rng = new Rng(seed);
  const cols = coefficients.length;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = intercept;
    for (let j = 0; j < cols; j++) {
      const v = rng.normal(j, 1 + j);
      values[i * cols + j] = v;
      z += coefficients[j]! * v;
    }
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X: { rows, cols, values, featureNames: coefficients.map((_, j) => `x${j}`) }, y };
}

/** Rank-based AUC (Mann-Whitney, ties counted half). */
export function auc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]!] === 1) { rankSumPos += avgRank; nPos++; }
    i = j + 1;
  }
  const nNeg = idx.length - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
