/**
 * L2-regularised logistic regression on median-imputed, standardised features, solved by Newton's
 * method (IRLS) with step halving to a tight tolerance. The objective is scikit-learn's:
 * sum_i w_i * logloss_i + (l2 / 2) * ||beta||^2 with the intercept unpenalised, so l2 = 1/C and
 * the default l2 = 1 matches LogisticRegression(C=1) on standardised input.
 */
import { choleskyFactor, solveWithFactor } from '../../lib/cholesky.ts';
import type { PivotRule } from '../../lib/cholesky.ts';
import type { FeatureMatrix, FitOptions, SerializedModel } from '../risk-model.ts';
import {
  booleanParam,
  checkTrainingData,
  normaliseImportance,
  numberParam,
  sigmoid,
  sigmoidInPlace,
  TrainingDataError,
  withDefaults,
} from './common.ts';
import type { RowContributions } from './common.ts';
import { Learner } from './learner.ts';
import { fitPreprocessor, outputWidth, transform } from './preprocess.ts';
import type { Preprocessor } from './preprocess.ts';

export interface LogregParams {
  /** L2 penalty on the standardised coefficients (1 / scikit-learn's C). */
  l2: number;
  /** Add a 0/1 column per feature that had missing values at fit. */
  missingIndicators: boolean;
  maxIter: number;
  /** Convergence: largest absolute Newton step below this. */
  tol: number;
}

export const LOGREG_DEFAULTS: LogregParams = { l2: 1, missingIndicators: false, maxIter: 100, tol: 1e-10 };

const KIND = 'logreg';

function validate(params: Partial<LogregParams>): LogregParams {
  const p = withDefaults(KIND, params, LOGREG_DEFAULTS);
  numberParam(KIND, 'l2', p.l2, { min: 0 });
  booleanParam(KIND, 'missingIndicators', p.missingIndicators);
  numberParam(KIND, 'maxIter', p.maxIter, { min: 1, integer: true });
  numberParam(KIND, 'tol', p.tol, { min: 0, minExclusive: true });
  return p;
}

interface LogregState {
  cols: number;
  featureNames: string[];
  pre: Preprocessor;
  intercept: number;
  /** Coefficients on the standardised columns (features, then missing indicators). */
  coef: number[];
  iterations: number;
  converged: boolean;
}

/** The saved state (the `state` of toJSON) read back; null when a required field is missing. */
function readSavedState(state: object): LogregState | null {
  const st = state as LogregState;
  if (typeof st.cols !== 'number' || !Array.isArray(st.coef) || typeof st.intercept !== 'number' || !st.pre || !Array.isArray(st.pre.medians)) return null;
  return { ...st, pre: { ...st.pre } };
}

/** Coefficients in two scales: per standard deviation (comparable) and per raw unit. */
export interface LogregCoefficients {
  featureNames: string[];
  /** Log-odds change per one standard deviation of the (imputed) feature. */
  standardised: Float64Array;
  /** Log-odds change per raw unit; with `rawIntercept`, the model on unscaled inputs. */
  raw: Float64Array;
  rawIntercept: number;
  /** Log-odds at the training mean of every column. */
  intercept: number;
  /** Standardised coefficient of each missing indicator, by feature name. */
  missingIndicators: Record<string, number>;
}

/** Logistic regression; see the module comment. */
export class LogisticRegressionModel extends Learner<LogregParams, LogregState> {
  constructor(params: Partial<LogregParams> = {}) {
    super(KIND, validate(params));
  }

  /** Whether the last fit met the tolerance within maxIter Newton steps. */
  get converged(): boolean {
    return this.fittedState().converged;
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: FitOptions = {}): Promise<LogisticRegressionModel> {
    const w = checkTrainingData(KIND, X, y, options.sampleWeight);
    const p = this.params;
    const pre = fitPreprocessor(X, p.missingIndicators, w);
    const Z = transform(pre, X);
    const q = outputWidth(pre);
    const n = X.rows;
    const dim = q + 1; // index q is the intercept
    const beta = new Float64Array(dim);
    let sumW = 0;
    let sumWY = 0;
    for (let i = 0; i < n; i++) {
      sumW += w[i]!;
      sumWY += w[i]! * y[i]!;
    }
    if (!(sumWY > 0 && sumWY < sumW)) throw new TrainingDataError(KIND, 'weighted labels must include both classes');
    beta[q] = Math.log(sumWY / (sumW - sumWY));

    const objective = (b: Float64Array): number => {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let z = b[q]!;
        const off = i * q;
        for (let j = 0; j < q; j++) z += Z[off + j]! * b[j]!;
        const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        loss += w[i]! * (softplus - y[i]! * z);
      }
      let pen = 0;
      for (let j = 0; j < q; j++) pen += b[j]! * b[j]!;
      return loss + 0.5 * p.l2 * pen;
    };

    const grad = new Float64Array(dim);
    const hess = new Float64Array(dim * dim);
    const row = new Float64Array(dim);
    let current = objective(beta);
    let converged = false;
    let iter = 0;
    for (; iter < p.maxIter; iter++) {
      grad.fill(0);
      hess.fill(0);
      for (let i = 0; i < n; i++) {
        const off = i * q;
        let z = beta[q]!;
        for (let j = 0; j < q; j++) {
          row[j] = Z[off + j]!;
          z += row[j]! * beta[j]!;
        }
        row[q] = 1;
        const prob = sigmoid(z);
        const r = w[i]! * (prob - y[i]!);
        const h = w[i]! * prob * (1 - prob);
        for (let a = 0; a < dim; a++) {
          const ra = row[a]!;
          grad[a] = grad[a]! + r * ra;
          const hra = h * ra;
          const base = a * dim;
          for (let b = 0; b <= a; b++) hess[base + b] = hess[base + b]! + hra * row[b]!;
        }
      }
      for (let j = 0; j < q; j++) {
        grad[j] = grad[j]! + p.l2 * beta[j]!;
        hess[j * dim + j] = hess[j * dim + j]! + p.l2;
      }
      // Tiny ridge keeps the solve defined for a constant column or perfect separation at l2 = 0.
      for (let j = 0; j < dim; j++) hess[j * dim + j] = hess[j * dim + j]! + 1e-12;
      const step = choleskySolve(hess, grad, dim);
      // Step halving: Newton on the logistic loss can overshoot far from the optimum.
      let scale = 1;
      let candidate = new Float64Array(dim);
      let value = Infinity;
      for (let halvings = 0; halvings < 30; halvings++) {
        for (let j = 0; j < dim; j++) candidate[j] = beta[j]! - scale * step[j]!;
        value = objective(candidate);
        if (value <= current + 1e-12 * Math.abs(current)) break;
        scale /= 2;
      }
      let maxStep = 0;
      for (let j = 0; j < dim; j++) maxStep = Math.max(maxStep, Math.abs(candidate[j]! - beta[j]!));
      beta.set(candidate);
      candidate = new Float64Array(dim);
      current = Math.min(current, value);
      options.onProgress?.((iter + 1) / p.maxIter);
      if (maxStep < p.tol) {
        converged = true;
        iter++;
        break;
      }
    }
    options.onProgress?.(1);
    this.state = {
      cols: X.cols,
      featureNames: [...X.featureNames],
      pre,
      intercept: beta[q]!,
      coef: Array.from(beta.subarray(0, q)),
      iterations: iter,
      converged,
    };
    return this;
  }

  /** Raw log-odds per row. */
  decisionFunction(X: FeatureMatrix): Float64Array {
    const s = this.stateForScoring(X);
    const Z = transform(s.pre, X);
    const q = s.coef.length;
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let z = s.intercept;
      for (let j = 0; j < q; j++) z += Z[i * q + j]! * s.coef[j]!;
      out[i] = z;
    }
    return out;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    return sigmoidInPlace(this.decisionFunction(X));
  }

  /** |standardised coefficient| per feature (a feature's missing indicator is added to it), normalised. */
  featureImportance(): Float64Array {
    const s = this.fittedState();
    const out = new Float64Array(s.cols);
    for (let f = 0; f < s.cols; f++) out[f] = Math.abs(s.coef[f]!);
    s.pre.indicatorFeatures.forEach((f, k) => {
      out[f] = out[f]! + Math.abs(s.coef[s.cols + k]!);
    });
    return normaliseImportance(out);
  }

  coefficients(): LogregCoefficients {
    const s = this.fittedState();
    const standardised = Float64Array.from(s.coef.slice(0, s.cols));
    const raw = new Float64Array(s.cols);
    let rawIntercept = s.intercept;
    for (let j = 0; j < s.coef.length; j++) {
      const perUnit = s.coef[j]! / s.pre.scales[j]!;
      if (j < s.cols) raw[j] = perUnit;
      rawIntercept -= perUnit * s.pre.means[j]!;
    }
    const missingIndicators: Record<string, number> = {};
    s.pre.indicatorFeatures.forEach((f, k) => {
      missingIndicators[s.featureNames[f] ?? `x${f}`] = s.coef[s.cols + k]!;
    });
    return { featureNames: [...s.featureNames], standardised, raw, rawIntercept, intercept: s.intercept, missingIndicators };
  }

  /**
   * Log-odds contribution of each feature for row `row` of X relative to the training-average
   * member (coefficient x standardised value, plus its missing indicator's term): the clinician's
   * "top factors". bias + sum(perFeature) equals the row's log-odds.
   */
  contributions(X: FeatureMatrix, row: number): RowContributions {
    const s = this.stateForRow(X, row);
    const one = { rows: 1, cols: X.cols, values: X.values.subarray(row * X.cols, (row + 1) * X.cols), featureNames: X.featureNames };
    const z = transform(s.pre, one);
    const perFeature = new Float64Array(s.cols);
    for (let f = 0; f < s.cols; f++) perFeature[f] = z[f]! * s.coef[f]!;
    s.pre.indicatorFeatures.forEach((f, k) => {
      perFeature[f] = perFeature[f]! + z[s.cols + k]! * s.coef[s.cols + k]!;
    });
    return { bias: s.intercept, perFeature, scale: 'log-odds' };
  }

  protected stateToJSON(s: LogregState): unknown {
    return { ...s, pre: { ...s.pre } };
  }

  /** Restores a model serialised by toJSON (predictions are bit-identical). */
  static fromJSON(json: SerializedModel): LogisticRegressionModel {
    return Learner.restore(json, KIND, (params) => new LogisticRegressionModel(params as Partial<LogregParams>), readSavedState, 'cols, coef, intercept or pre');
  }

}

/** The Hessian carries a ridge already, so a vanishing pivot is rounding: clamp it and go on. */
const NEWTON_PIVOT: PivotRule = { minPivot: 1e-300, onSmallPivot: 'clamp' };

/** Solves A x = b for symmetric positive-definite A (lower triangle filled), by Cholesky. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = choleskyFactor(n, (i, j) => A[i * n + j]!, NEWTON_PIVOT)!;
  return solveWithFactor(L, n, b);
}
