/**
 * Platt scaling (Platt 1999): calibrated p = sigmoid(a + b * logit(raw p)), fitted by maximum
 * likelihood on held-out predictions. With `smoothTargets` the 0/1 outcomes are replaced by Platt's
 * prior-corrected targets (N+ + 1) / (N+ + 2) and 1 / (N- + 2), which keeps the fit finite on
 * separable data and small sets; scikit-learn's CalibratedClassifierCV does the same.
 */
import { checkPredictions, EvaluationError } from '../evaluation/errors.ts';
import { clippedLogit, fitLogisticLine, sigmoid } from '../evaluation/logistic-recalibration.ts';
import type { Calibrator, SerializedCalibrator } from './calibrator.ts';

/** Learned state of a Platt calibrator. */
export interface PlattState {
  intercept: number;
  slope: number;
}

export interface PlattOptions {
  /** Use Platt's prior-corrected targets instead of hard 0/1 (default true). */
  smoothTargets?: boolean;
}

export class PlattCalibrator implements Calibrator {
  readonly method = 'platt' as const;
  private readonly smoothTargets: boolean;
  private state: PlattState | null = null;

  constructor(options: PlattOptions = {}) {
    this.smoothTargets = options.smoothTargets ?? true;
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  /** The fitted intercept and slope on the logit scale. */
  get coefficients(): PlattState {
    if (!this.state) throw new EvaluationError('NOT_FITTED', 'platt calibrator is not fitted: call fit() first');
    return { ...this.state };
  }

  fit(p: ArrayLike<number>, y: ArrayLike<number>): PlattCalibrator {
    checkPredictions(p, y);
    let positives = 0;
    for (let i = 0; i < y.length; i++) positives += y[i]!;
    const negatives = y.length - positives;
    const hi = this.smoothTargets ? (positives + 1) / (positives + 2) : 1;
    const lo = this.smoothTargets ? 1 / (negatives + 2) : 0;
    const x = Float64Array.from({ length: p.length }, (_, i) => clippedLogit(p[i]!));
    const t = Float64Array.from({ length: y.length }, (_, i) => (y[i] === 1 ? hi : lo));
    const line = fitLogisticLine(x, t, { maxIterations: 200 });
    this.state = { intercept: line.intercept, slope: line.slope };
    return this;
  }

  transform(p: ArrayLike<number>): Float64Array {
    const { intercept, slope } = this.coefficients;
    return Float64Array.from({ length: p.length }, (_, i) => sigmoid(intercept + slope * clippedLogit(p[i]!)));
  }

  toJSON(): SerializedCalibrator {
    return { method: 'platt', state: this.coefficients };
  }

  /** Restore from the `state` of `toJSON`. */
  static fromState(state: unknown): PlattCalibrator {
    const s = state as Partial<PlattState> | null;
    if (!s || typeof s.intercept !== 'number' || typeof s.slope !== 'number' || !Number.isFinite(s.intercept) || !Number.isFinite(s.slope)) {
      throw new EvaluationError('INVALID_SERIALIZATION', 'platt state needs finite numbers intercept and slope');
    }
    const c = new PlattCalibrator();
    c.state = { intercept: s.intercept, slope: s.slope };
    return c;
  }
}
