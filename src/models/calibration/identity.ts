/**
 * The "no recalibration" choice, as a calibrator so it can compete on equal terms: when a
 * model's out-of-fold probabilities are already calibrated (logistic regression on a small
 * table, typically), fitting a map on them adds variance and no bias correction. It is chosen
 * only when its cross-validated Brier score is the best (training/select.ts).
 */
import type { Calibrator, SerializedCalibrator } from './calibrator.ts';

export class IdentityCalibrator implements Calibrator {
  readonly method = 'none' as const;
  fitted = false;

  fit(): Calibrator {
    this.fitted = true;
    return this;
  }

  transform(p: ArrayLike<number>): Float64Array {
    return Float64Array.from(p as ArrayLike<number>);
  }

  toJSON(): SerializedCalibrator {
    return { method: 'none', state: {} };
  }

  static fromState(): IdentityCalibrator {
    return new IdentityCalibrator().fit() as IdentityCalibrator;
  }
}
