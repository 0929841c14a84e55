/**
 * Typed errors of the evaluation, calibration and split code. Each carries a stable `code` so a
 * CLI or API edge can map it without parsing the message.
 */

export type EvaluationErrorCode =
  | 'LENGTH_MISMATCH'
  | 'EMPTY_INPUT'
  | 'INVALID_LABEL'
  | 'INVALID_PROBABILITY'
  | 'SINGLE_CLASS'
  | 'INVALID_ARGUMENT'
  | 'NOT_FITTED'
  | 'INVALID_SERIALIZATION';

/** Thrown when the inputs of a metric, split or calibrator cannot give a meaningful answer. */
export class EvaluationError extends Error {
  readonly code: EvaluationErrorCode;
  constructor(code: EvaluationErrorCode, message: string) {
    super(message);
    this.name = 'EvaluationError';
    this.code = code;
  }
}

/** Checks shared by every metric: equal non-zero lengths, labels 0/1, probabilities in [0, 1]. */
export function checkPredictions(p: ArrayLike<number>, y: ArrayLike<number>): void {
  if (p.length !== y.length) {
    throw new EvaluationError('LENGTH_MISMATCH', `${p.length} predictions but ${y.length} labels`);
  }
  if (p.length === 0) throw new EvaluationError('EMPTY_INPUT', 'no predictions to evaluate');
  for (let i = 0; i < p.length; i++) {
    const yi = y[i]!;
    if (yi !== 0 && yi !== 1) throw new EvaluationError('INVALID_LABEL', `label at row ${i} is ${yi}, expected 0 or 1`);
    const pi = p[i]!;
    if (!(pi >= 0 && pi <= 1)) {
      throw new EvaluationError('INVALID_PROBABILITY', `prediction at row ${i} is ${pi}, expected a probability in [0, 1]`);
    }
  }
}
