/**
 * Pieces every learner shares: hyperparameter validation that names the bad value (the
 * scikit-learn parameter-constraint habit, STYLE.md), training-data checks, and small numeric
 * helpers. Pure: no I/O.
 */
import { InvalidParameterError } from '../risk-model.ts';
import type { FeatureMatrix } from '../risk-model.ts';

/** Thrown by `fit` when the training data cannot be learned from (shape, labels, weights). */
export class TrainingDataError extends Error {
  readonly code = 'TRAINING_DATA_INVALID';
  constructor(kind: string, message: string) {
    super(`${kind}: ${message}`);
    this.name = 'TrainingDataError';
  }
}

/** Thrown by `fromJSON` when a serialised model is not of the expected kind or shape. */
export class ModelFormatError extends Error {
  readonly code = 'MODEL_FORMAT_INVALID';
  constructor(kind: string, message: string) {
    super(`${kind}: ${message}`);
    this.name = 'ModelFormatError';
  }
}

/** Validates one numeric hyperparameter against its declared range. */
export function numberParam(
  kind: string,
  name: string,
  value: unknown,
  rule: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean },
): number {
  const describe = () => {
    const parts: string[] = [rule.integer ? 'an integer' : 'a finite number'];
    if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
    if (rule.max !== undefined) parts.push(`${rule.maxExclusive ? '<' : '<='} ${rule.max}`);
    return `must be ${parts.join(' ')}`;
  };
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidParameterError(kind, name, value, describe());
  if (rule.integer && !Number.isInteger(value)) throw new InvalidParameterError(kind, name, value, describe());
  if (rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min)) {
    throw new InvalidParameterError(kind, name, value, describe());
  }
  if (rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max)) {
    throw new InvalidParameterError(kind, name, value, describe());
  }
  return value;
}

/** Validates a boolean hyperparameter. */
export function booleanParam(kind: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidParameterError(kind, name, value, 'must be true or false');
  return value;
}

/** A hyperparameter that may be null (no limit); otherwise validated as `numberParam`. */
export function nullableNumberParam(
  kind: string,
  name: string,
  value: unknown,
  rule: Parameters<typeof numberParam>[3],
): number | null {
  return value === null ? null : numberParam(kind, name, value, rule);
}

/** True for a share in (0, 1] or a whole count >= 1 (how `maxFeatures` is given). */
export function isShareOrCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && (value <= 1 || Number.isInteger(value));
}

/** A `maxFeatures` count (> 1) cannot exceed the features there are; checked at fit, when that is known. */
export function checkFeatureCount(kind: string, maxFeatures: unknown, cols: number): void {
  if (typeof maxFeatures === 'number' && maxFeatures > 1 && maxFeatures > cols) {
    throw new InvalidParameterError(kind, 'maxFeatures', maxFeatures, `must not exceed the ${cols} features`);
  }
}

/** The learner's defaults overridden by `params`, after rejecting names it does not know. */
export function withDefaults<P extends object>(kind: string, params: Partial<P>, defaults: P): P {
  rejectUnknownParams(kind, params, Object.keys(defaults));
  return { ...defaults, ...params };
}

/** Rejects hyperparameter names the learner does not know (a typo must not be silently ignored). */
export function rejectUnknownParams(kind: string, params: object, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      throw new InvalidParameterError(kind, key, (params as Record<string, unknown>)[key], `unknown parameter (known: ${known.join(', ')})`);
    }
  }
}

/** Checks X, y and weights agree in shape and content; returns the weights (all 1 by default). */
export function checkTrainingData(
  kind: string,
  X: FeatureMatrix,
  y: Uint8Array,
  sampleWeight: Float64Array | undefined,
): Float64Array {
  if (X.rows < 2) throw new TrainingDataError(kind, `need at least 2 rows, got ${X.rows}`);
  if (X.cols < 1) throw new TrainingDataError(kind, 'need at least 1 feature');
  if (X.values.length !== X.rows * X.cols) {
    throw new TrainingDataError(kind, `matrix has ${X.values.length} values, expected rows*cols=${X.rows * X.cols}`);
  }
  if (y.length !== X.rows) throw new TrainingDataError(kind, `y has ${y.length} labels, X has ${X.rows} rows`);
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (label !== 0 && label !== 1) throw new TrainingDataError(kind, `label at row ${i} is ${label}; labels must be 0 or 1`);
    positives += label;
  }
  if (positives === 0 || positives === y.length) throw new TrainingDataError(kind, 'y must contain both classes');
  for (let i = 0; i < X.values.length; i++) {
    const v = X.values[i]!;
    if (v === Infinity || v === -Infinity) {
      throw new TrainingDataError(kind, `infinite value at row ${Math.floor(i / X.cols)}, feature ${X.featureNames[i % X.cols] ?? i % X.cols}`);
    }
  }
  if (sampleWeight === undefined) return new Float64Array(X.rows).fill(1);
  if (sampleWeight.length !== X.rows) throw new TrainingDataError(kind, `sampleWeight has ${sampleWeight.length} values, X has ${X.rows} rows`);
  for (let i = 0; i < sampleWeight.length; i++) {
    const w = sampleWeight[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new TrainingDataError(kind, `sampleWeight at row ${i} is ${w}; weights must be finite and >= 0`);
  }
  return sampleWeight;
}

/** Checks a matrix to score has the column count the model was fitted on. */
export function checkPredictMatrix(kind: string, X: FeatureMatrix, expectedCols: number): void {
  if (X.cols !== expectedCols) throw new TrainingDataError(kind, `model was fitted on ${expectedCols} features, got ${X.cols}`);
  if (X.values.length !== X.rows * X.cols) {
    throw new TrainingDataError(kind, `matrix has ${X.values.length} values, expected rows*cols=${X.rows * X.cols}`);
  }
}

/** Logistic function, written to stay finite for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Turns log-odds into probabilities in place; returns the same array. */
export function sigmoidInPlace(raw: Float64Array): Float64Array {
  for (let i = 0; i < raw.length; i++) raw[i] = sigmoid(raw[i]!);
  return raw;
}

/** Copies feature f's non-missing values of X into `into` (in row order); returns how many. */
export function presentValues(X: FeatureMatrix, f: number, into: Float64Array): number {
  const { rows, cols, values } = X;
  let m = 0;
  for (let i = 0; i < rows; i++) {
    const v = values[i * cols + f]!;
    if (v === v) into[m++] = v;
  }
  return m;
}

/** A FeatureMatrix holding the given rows of X, in the given order. */
export function selectRows(X: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const cols = X.cols;
  const values = new Float64Array(rows.length * cols);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    values.set(X.values.subarray(r * cols, r * cols + cols), k * cols);
  }
  return { rows: rows.length, cols, values, featureNames: X.featureNames };
}

/** Normalises non-negative importances to sum to 1 (left all-zero when nothing was learned). */
export function normaliseImportance(raw: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(raw, (v) => Math.max(0, v));
  let total = 0;
  for (const v of out) total += v;
  if (total > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / total;
  return out;
}

/**
 * Seeded stratified hold-out: `fraction` of each class goes to validation, so a rare outcome
 * (10-15% readmissions) is represented on both sides.
 */
export function stratifiedHoldout(
  y: Uint8Array,
  fraction: number,
  nextUniform: () => number,
): { train: Uint32Array; validation: Uint32Array } {
  const byClass: number[][] = [[], []];
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  const train: number[] = [];
  const validation: number[] = [];
  for (const members of byClass) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(nextUniform() * (i + 1));
      const t = members[i]!;
      members[i] = members[j]!;
      members[j] = t;
    }
    const nVal = Math.max(1, Math.round(members.length * fraction));
    validation.push(...members.slice(0, nVal));
    train.push(...members.slice(nVal));
  }
  train.sort((a, b) => a - b);
  validation.sort((a, b) => a - b);
  return { train: Uint32Array.from(train), validation: Uint32Array.from(validation) };
}

/** Weighted mean log-loss of raw log-odds scores against labels. */
export function logLossFromRaw(raw: Float64Array, y: Uint8Array, weight: Float64Array): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i]!;
    // log(1 + e^z) - y z, computed stably.
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    loss += weight[i]! * (softplus - y[i]! * z);
    total += weight[i]!;
  }
  return total > 0 ? loss / total : 0;
}

/** Per-row explanation in log-odds (logreg, hgb) or probability (forest) units. */
export interface RowContributions {
  /** Score of the average/reference member before any feature is considered. */
  bias: number;
  /** One contribution per feature; bias + sum(perFeature) is the row's score. */
  perFeature: Float64Array;
  /** What the numbers add up to: `log-odds` or `probability`. */
  scale: 'log-odds' | 'probability';
}

/** Reads a Float64Array back from a JSON number array, checking it is numeric. */
export function float64FromJSON(kind: string, value: unknown, what: string): Float64Array {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) throw new ModelFormatError(kind, `${what} must be an array of numbers`);
  return Float64Array.from(value as number[]);
}
