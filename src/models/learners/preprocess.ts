/**
 * Median imputation and standardisation learned at fit and replayed at prediction, shared by the
 * learners that need numeric, centred input (logreg, nn). Missing (NaN) becomes the training
 * median; optionally a 0/1 "was missing" indicator is added for every feature that had missing
 * values at fit, so the model can learn that absence itself is informative (an untested HbA1c).
 */
import type { FeatureMatrix } from '../risk-model.ts';
import { presentValues } from './common.ts';

export interface Preprocessor {
  /** Median of the non-missing training values per feature (0 when a feature was all missing). */
  medians: number[];
  /** Features that get a missing-indicator column, in order (empty when indicators are off). */
  indicatorFeatures: number[];
  /** Mean and standard deviation per output column (features, then indicators). */
  means: number[];
  scales: number[];
}

/** Learns medians, indicators and scaling from the training matrix. */
export function fitPreprocessor(X: FeatureMatrix, addMissingIndicators: boolean, weight?: Float64Array): Preprocessor {
  const { rows, cols, values } = X;
  const medians: number[] = [];
  const indicatorFeatures: number[] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < cols; f++) {
    const m = presentValues(X, f, column);
    if (m < rows && addMissingIndicators) indicatorFeatures.push(f);
    if (m === 0) {
      medians.push(0);
      continue;
    }
    const sorted = column.subarray(0, m).sort();
    medians.push(m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2);
  }
  const pre: Preprocessor = { medians, indicatorFeatures, means: [], scales: [] };
  const width = outputWidth(pre);
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  let total = 0;
  const row = new Float64Array(width);
  for (let i = 0; i < rows; i++) {
    writeImputedRow(pre, values, i * cols, cols, row);
    const w = weight ? weight[i]! : 1;
    total += w;
    for (let j = 0; j < width; j++) sum[j] = sum[j]! + w * row[j]!;
  }
  for (let j = 0; j < width; j++) pre.means.push(total > 0 ? sum[j]! / total : 0);
  for (let i = 0; i < rows; i++) {
    writeImputedRow(pre, values, i * cols, cols, row);
    const w = weight ? weight[i]! : 1;
    for (let j = 0; j < width; j++) {
      const d = row[j]! - pre.means[j]!;
      sumSq[j] = sumSq[j]! + w * d * d;
    }
  }
  for (let j = 0; j < width; j++) {
    const sd = total > 0 ? Math.sqrt(sumSq[j]! / total) : 0;
    // A constant column carries no information; scale 1 keeps it finite (its coefficient stays 0).
    pre.scales.push(sd > 1e-12 ? sd : 1);
  }
  return pre;
}

/** Columns the transform produces: the features, then one per missing indicator. */
export function outputWidth(pre: Preprocessor): number {
  return pre.medians.length + pre.indicatorFeatures.length;
}

/** Writes the row at `offset` into `out[0..cols)`, a missing value replaced by its feature's median; returns `out`. */
export function imputeRow<T extends { [index: number]: number }>(values: Float64Array, offset: number, cols: number, medians: readonly number[], out: T): T {
  for (let f = 0; f < cols; f++) {
    const v = values[offset + f]!;
    out[f] = v === v ? v : medians[f]!;
  }
  return out;
}

function writeImputedRow(pre: Preprocessor, values: Float64Array, offset: number, cols: number, out: Float64Array): void {
  imputeRow(values, offset, cols, pre.medians, out);
  const ind = pre.indicatorFeatures;
  for (let k = 0; k < ind.length; k++) {
    const v = values[offset + ind[k]!]!;
    out[cols + k] = v === v ? 0 : 1;
  }
}

/** Imputed, standardised design matrix, row-major rows x outputWidth. */
export function transform(pre: Preprocessor, X: FeatureMatrix): Float64Array {
  const width = outputWidth(pre);
  const out = new Float64Array(X.rows * width);
  const row = new Float64Array(width);
  for (let i = 0; i < X.rows; i++) {
    writeImputedRow(pre, X.values, i * X.cols, X.cols, row);
    for (let j = 0; j < width; j++) out[i * width + j] = (row[j]! - pre.means[j]!) / pre.scales[j]!;
  }
  return out;
}
