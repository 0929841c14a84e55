/**
 * The calibrator contract: a monotone map from a model's raw probability to a calibrated one,
 * fitted on held-out predictions (never on the rows the model was trained on, which would learn
 * the model's overfit rather than correct it), serialisable to plain JSON and restorable to give
 * identical output.
 */
import { EvaluationError } from '../evaluation/errors.ts';
import { IdentityCalibrator } from './identity.ts';
import { IsotonicCalibrator, type IsotonicState } from './isotonic.ts';
import { PlattCalibrator, type PlattState } from './platt.ts';

/** `none` keeps the model's own probabilities; it competes with the others and wins only on cross-validated Brier. */
export type CalibrationMethod = 'platt' | 'isotonic' | 'none';

/** A fitted or unfitted calibrator. */
export interface Calibrator {
  readonly method: CalibrationMethod;
  readonly fitted: boolean;
  /** Learns the map from held-out probabilities `p` and their outcomes `y`; returns this. */
  fit(p: ArrayLike<number>, y: ArrayLike<number>): Calibrator;
  /** Calibrated probability per input probability. Throws NOT_FITTED before fit. */
  transform(p: ArrayLike<number>): Float64Array;
  toJSON(): SerializedCalibrator;
}

export type SerializedCalibrator = { method: 'platt'; state: PlattState } | { method: 'isotonic'; state: IsotonicState } | { method: 'none'; state: Record<string, never> };

/** A new, unfitted calibrator of the given method. */
export function createCalibrator(method: CalibrationMethod): Calibrator {
  switch (method) {
    case 'platt':
      return new PlattCalibrator();
    case 'isotonic':
      return new IsotonicCalibrator();
    case 'none':
      return new IdentityCalibrator();
    default:
      throw new EvaluationError('INVALID_ARGUMENT', `unknown calibration method ${JSON.stringify(method)}`);
  }
}

/** Rebuild a fitted calibrator from its JSON form (the output of `toJSON`, possibly via JSON.parse). */
export function restoreCalibrator(json: unknown): Calibrator {
  const record = json as { method?: unknown; state?: unknown } | null;
  if (record === null || typeof record !== 'object') {
    throw new EvaluationError('INVALID_SERIALIZATION', 'a serialised calibrator must be an object');
  }
  if (record.method === 'platt') return PlattCalibrator.fromState(record.state);
  if (record.method === 'isotonic') return IsotonicCalibrator.fromState(record.state);
  if (record.method === 'none') return IdentityCalibrator.fromState();
  throw new EvaluationError('INVALID_SERIALIZATION', `unknown calibrator method ${JSON.stringify(record.method)}`);
}
