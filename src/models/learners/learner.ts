/**
 * The part of the estimator contract every learner implements the same way (STYLE.md item 7, the
 * scikit-learn habit): the constructor stores validated hyperparameters only, the learned state is
 * one marked field, predicting, explaining or serialising before `fit` throws `NotFittedError`, a
 * matrix to score must have the fitted width, and the saved form is the `{ kind, params, state }`
 * envelope. Each learner supplies only its fit, its scoring and its state's saved form.
 */
import { NotFittedError } from '../risk-model.ts';
import type { FeatureMatrix, FitOptions, RiskModel, SerializedModel } from '../risk-model.ts';
import { checkPredictMatrix, ModelFormatError } from './common.ts';

/** What every learner's fitted state records: the number of features it was fitted on. */
export interface FittedShape {
  cols: number;
}

/** Base class of the learners; see the module comment. */
export abstract class Learner<P extends object, S extends FittedShape> implements RiskModel {
  readonly kind: string;
  readonly params: Readonly<P>;
  /** The learned state; null until `fit` (or `fromJSON`) sets it. */
  protected state: S | null = null;

  protected constructor(kind: string, params: Readonly<P>) {
    this.kind = kind;
    this.params = params;
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  abstract fit(X: FeatureMatrix, y: Uint8Array, options?: FitOptions): Promise<RiskModel>;
  abstract predictProba(X: FeatureMatrix): Float64Array;
  abstract featureImportance(): Float64Array;

  /** The `{ kind, params, state }` envelope; the learner decides what its state saves as. */
  toJSON(): SerializedModel {
    return { kind: this.kind, params: { ...this.params }, state: this.stateToJSON(this.fittedState()) };
  }

  /** The plain-JSON form of the fitted state (the saved format: change it only with a migration). */
  protected abstract stateToJSON(state: S): unknown;

  /** The fitted state; throws NotFittedError before fit. */
  protected fittedState(): S {
    if (!this.state) throw new NotFittedError(this.kind);
    return this.state;
  }

  /** The fitted state, after checking X has the width the model was fitted on. */
  protected stateForScoring(X: FeatureMatrix): S {
    const s = this.fittedState();
    checkPredictMatrix(this.kind, X, s.cols);
    return s;
  }

  /** As `stateForScoring`, also checking `row` is a row of X (for per-row explanations). */
  protected stateForRow(X: FeatureMatrix, row: number): S {
    const s = this.stateForScoring(X);
    if (!Number.isInteger(row) || row < 0 || row >= X.rows) throw new RangeError(`row ${row} is outside 0..${X.rows - 1}`);
    return s;
  }

  /**
   * Restores a learner from its envelope: checks the kind, builds the learner from the saved
   * params (validated as at construction), then installs the state `readState` accepts; a state
   * it rejects (returns null) is a ModelFormatError naming `required`.
   */
  protected static restore<M extends Learner<object, T>, T extends FittedShape>(
    json: SerializedModel,
    kind: string,
    create: (params: Record<string, unknown>) => M,
    readState: (state: object) => T | null,
    required: string,
  ): M {
    if (json.kind !== kind) throw new ModelFormatError(kind, `expected kind '${kind}', got '${json.kind}'`);
    const model = create(json.params);
    const state = json.state === null || typeof json.state !== 'object' ? null : readState(json.state);
    if (!state) throw new ModelFormatError(kind, `state is missing ${required}`);
    model.state = state;
    return model;
  }
}
