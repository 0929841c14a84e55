/**
 * A clinical reference score: published points from a few named features, reported beside the
 * learned models so every evaluation shows what a bedside score already achieves (Stratum issue 3).
 * Points are ranked, not calibrated: AUC needs only the order.
 */
import type { FeatureMatrix } from '../risk-model.ts';

/** Which feature column feeds each input of a score, for one data source. */
export type FeatureMapping<Input extends string> = Readonly<Record<Input, string>>;

export interface ReferenceScore {
  /** Short name shown in reports, e.g. `lace`, `framingham-chd`. */
  readonly name: string;
  /** The published source of the point table. */
  readonly citation: string;
  /** How this data source's features stand in for the score's inputs (proxies, units). */
  readonly substitutions: string;
  /** Points per row of X; a missing input scores its 0-point (reference) category. */
  score(X: FeatureMatrix): Float64Array;
}

/** Thrown when a score is applied to a matrix that lacks one of its mapped features. */
export class ReferenceScoreError extends Error {
  readonly code = 'MISSING_FEATURE';
  constructor(score: string, feature: string) {
    super(`${score}: feature ${feature} is not a column of the matrix`);
    this.name = 'ReferenceScoreError';
  }
}

/** Column index of every mapped feature (required and optional), or -1 for an absent optional one. */
export function columnsOf<I extends string>(score: string, X: FeatureMatrix, mapping: Readonly<Partial<Record<I, string>>>, required: readonly I[]): Record<I, number> {
  const out = {} as Record<I, number>;
  for (const key of Object.keys(mapping) as I[]) {
    const name = mapping[key]!;
    const j = X.featureNames.indexOf(name);
    if (j < 0 && required.includes(key)) throw new ReferenceScoreError(score, name);
    out[key] = j;
  }
  return out;
}

/** Cell (row i, column j); NaN when the column is absent (j < 0). */
export function cell(X: FeatureMatrix, i: number, j: number): number {
  return j < 0 ? Number.NaN : X.values[i * X.cols + j]!;
}

/**
 * Points rescaled to [0, 1] by (p - min) / (max - min), so the metrics that insist on
 * probabilities accept them. Order is kept exactly, so AUC is the points' own AUC; the values are
 * not probabilities and must not feed a Brier score. All-equal points map to 0.5.
 */
export function rankableScores(points: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  const span = hi - lo;
  return points.map((p) => (span > 0 ? (p - lo) / span : 0.5));
}
