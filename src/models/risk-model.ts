/**
 * The one contract every learner and reference score honours (STYLE.md items 7-8, the
 * scikit-learn estimator habit): the constructor stores hyperparameters only, `fit` learns and
 * returns the fitted model, `predictProba` refuses an unfitted model, and the learned state can be
 * serialised and restored to give identical predictions.
 */

/** A dense feature matrix: row-major, `rows * cols` values, NaN for missing. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float64Array;
  readonly featureNames: readonly string[];
}

export interface FitOptions {
  /** Seed for anything random inside the fit (sampling, initial weights). */
  seed?: number;
  /** Per-row weights (default 1). */
  sampleWeight?: Float64Array;
  /** Called with progress in [0, 1] so CLIs can draw a bar. */
  onProgress?: (fraction: number) => void;
  /**
   * Threads a learner may use (only the forest uses more than one; its result is the same
   * either way). Default: up to 2 when the work is big enough to repay a worker's start-up.
   */
  threads?: number;
}

export interface SerializedModel {
  kind: string;
  params: Record<string, unknown>;
  state: unknown;
}

export interface RiskModel {
  /** Short learner name, e.g. `logreg`, `hgb`, `forest`, `nn`, `lace`. */
  readonly kind: string;
  readonly fitted: boolean;
  /** Learns from X and binary labels y (0/1); returns this model, now fitted. */
  fit(X: FeatureMatrix, y: Uint8Array, options?: FitOptions): Promise<RiskModel>;
  /** Probability of the positive class per row. Throws NotFittedError before fit. */
  predictProba(X: FeatureMatrix): Float64Array;
  /** Relative importance per feature (non-negative, sums to 1 when any is positive). */
  featureImportance(): Float64Array;
  toJSON(): SerializedModel;
}

/** Thrown by predictProba/featureImportance/toJSON on a model that has not been fitted. */
export class NotFittedError extends Error {
  constructor(kind: string) {
    super(`${kind} model is not fitted: call fit() before predicting`);
    this.name = 'NotFittedError';
  }
}

/** Thrown when a hyperparameter violates its declared constraint; names the value. */
export class InvalidParameterError extends Error {
  constructor(kind: string, param: string, value: unknown, rule: string) {
    super(`${kind}: parameter ${param}=${JSON.stringify(value)} is invalid: ${rule}`);
    this.name = 'InvalidParameterError';
  }
}

/** Build a FeatureMatrix from an array of row arrays (convenience for tests and adapters). */
export function matrixFromRows(rows: readonly (readonly number[])[], featureNames: readonly string[]): FeatureMatrix {
  const cols = featureNames.length;
  const values = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`row ${i} has ${row.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) values[i * cols + j] = row[j]!;
  });
  return { rows: rows.length, cols, values, featureNames };
}
