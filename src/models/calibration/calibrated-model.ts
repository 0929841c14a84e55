/**
 * A RiskModel whose served probability is the calibrated one (STYLE.md item 7: calibration is part
 * of the model). It wraps any base RiskModel plus a calibrator; it never imports a concrete learner,
 * so the base is handed in (an unfitted instance to fit, or a fitted one with a fitted calibrator).
 *
 * Fitting, two ways:
 * - by default, a seeded stratified split holds out `calibrationFraction` of the rows: the base is
 *   fitted on the rest and the calibrator on the base's predictions for the held-out rows;
 * - with `outOfFoldPredictions` (e.g. from a k-fold run), the base is fitted on all rows and the
 *   calibrator on those predictions, which must not come from a model that saw their rows.
 */
import { EvaluationError } from '../evaluation/errors.ts';
import { stratifiedTrainTestSplit, takeEntries, takeRows } from '../evaluation/splits.ts';
import { NotFittedError, type FeatureMatrix, type FitOptions, type RiskModel, type SerializedModel } from '../risk-model.ts';
import { createCalibrator, restoreCalibrator, type CalibrationMethod, type Calibrator } from './calibrator.ts';

export interface CalibratedModelOptions {
  method?: CalibrationMethod;
  /** Share of rows held out for the calibrator when no out-of-fold predictions are given (default 0.2). */
  calibrationFraction?: number;
  /** Seed of the hold-out split when `fit` gets none (default 0). */
  seed?: number;
}

export interface CalibratedFitOptions extends FitOptions {
  /** Held-out predictions for every row of X (same order); the base is then fitted on all rows. */
  outOfFoldPredictions?: Float64Array;
}

export class CalibratedModel implements RiskModel {
  readonly kind = 'calibrated';
  readonly method: CalibrationMethod;
  readonly calibrationFraction: number;
  readonly seed: number;
  private readonly baseModel: RiskModel;
  private calibrator: Calibrator | null = null;

  constructor(base: RiskModel, options: CalibratedModelOptions = {}) {
    this.baseModel = base;
    this.method = options.method ?? 'isotonic';
    this.calibrationFraction = options.calibrationFraction ?? 0.2;
    this.seed = options.seed ?? 0;
    if (!(this.calibrationFraction > 0 && this.calibrationFraction < 1)) {
      throw new EvaluationError('INVALID_ARGUMENT', `calibrationFraction=${this.calibrationFraction} must be in (0, 1)`);
    }
    if (this.method !== 'platt' && this.method !== 'isotonic' && this.method !== 'none') {
      throw new EvaluationError('INVALID_ARGUMENT', `method=${JSON.stringify(this.method)} must be "platt" or "isotonic"`);
    }
  }

  /** Wrap an already fitted base and calibrator (e.g. after a separate cross-validation run). */
  static fromFitted(base: RiskModel, calibrator: Calibrator): CalibratedModel {
    if (!base.fitted || !calibrator.fitted) throw new EvaluationError('NOT_FITTED', 'fromFitted needs a fitted base model and a fitted calibrator');
    const model = new CalibratedModel(base, { method: calibrator.method });
    model.calibrator = calibrator;
    return model;
  }

  get fitted(): boolean {
    return this.calibrator !== null && this.baseModel.fitted;
  }

  /** The wrapped model (its probabilities are the uncalibrated ones). */
  get base(): RiskModel {
    return this.baseModel;
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: CalibratedFitOptions = {}): Promise<CalibratedModel> {
    if (X.rows !== y.length) throw new EvaluationError('LENGTH_MISMATCH', `${X.rows} rows but ${y.length} labels`);
    const calibrator = createCalibrator(this.method);
    const oof = options.outOfFoldPredictions;
    const baseOptions: FitOptions = { ...options };
    delete (baseOptions as CalibratedFitOptions).outOfFoldPredictions;
    if (oof) {
      if (oof.length !== y.length) throw new EvaluationError('LENGTH_MISMATCH', `${oof.length} out-of-fold predictions but ${y.length} labels`);
      await this.baseModel.fit(X, y, baseOptions);
      calibrator.fit(oof, y);
    } else {
      const seed = options.seed ?? this.seed;
      const split = stratifiedTrainTestSplit(y, this.calibrationFraction, `calibration-holdout:${seed}`);
      const trainOptions: FitOptions = { ...baseOptions };
      if (options.sampleWeight) trainOptions.sampleWeight = takeEntries(options.sampleWeight, split.train);
      await this.baseModel.fit(takeRows(X, split.train), takeEntries(y, split.train), trainOptions);
      const held = this.baseModel.predictProba(takeRows(X, split.test));
      calibrator.fit(held, takeEntries(y, split.test));
    }
    this.calibrator = calibrator;
    return this;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    if (!this.calibrator || !this.baseModel.fitted) throw new NotFittedError(this.kind);
    return this.calibrator.transform(this.baseModel.predictProba(X));
  }

  /** The base model's importances: a monotone calibration does not change which features drive the ranking. */
  featureImportance(): Float64Array {
    if (!this.fitted) throw new NotFittedError(this.kind);
    return this.baseModel.featureImportance();
  }

  toJSON(): SerializedModel {
    if (!this.calibrator || !this.baseModel.fitted) throw new NotFittedError(this.kind);
    return {
      kind: this.kind,
      params: { method: this.method, calibrationFraction: this.calibrationFraction, seed: this.seed },
      state: { base: this.baseModel.toJSON(), calibrator: this.calibrator.toJSON() },
    };
  }

  /**
   * Restore from `toJSON` output. The base is rebuilt by `restoreBase` (the model registry's
   * dispatcher by kind), which keeps this module free of concrete learners.
   */
  static fromJSON(json: SerializedModel, restoreBase: (serialized: SerializedModel) => RiskModel): CalibratedModel {
    if (json.kind !== 'calibrated') throw new EvaluationError('INVALID_SERIALIZATION', `expected kind "calibrated", got ${JSON.stringify(json.kind)}`);
    const state = json.state as { base?: SerializedModel; calibrator?: unknown } | null;
    if (!state || !state.base || state.calibrator === undefined) {
      throw new EvaluationError('INVALID_SERIALIZATION', 'calibrated model state needs base and calibrator');
    }
    const params = json.params as CalibratedModelOptions;
    const model = new CalibratedModel(restoreBase(state.base), {
      method: params.method,
      calibrationFraction: params.calibrationFraction,
      seed: params.seed,
    });
    model.calibrator = restoreCalibrator(state.calibrator);
    return model;
  }
}
