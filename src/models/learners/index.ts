/**
 * The learners behind the RiskModel interface, by kind, and the way back from a serialised model.
 * `nn` loads @tensorflow/tfjs only when it is fitted, so using this module costs nothing extra.
 */
import { InvalidParameterError } from '../risk-model.ts';
import type { RiskModel, SerializedModel } from '../risk-model.ts';
import { ModelFormatError } from './common.ts';
import { HistRandomForestModel } from './forest.ts';
import type { ForestParams } from './forest.ts';
import { HistGradientBoostingModel } from './hgb.ts';
import type { HgbParams } from './hgb.ts';
import { LogisticRegressionModel } from './logreg.ts';
import type { LogregParams } from './logreg.ts';
import { MlRandomForestModel } from './mlrf.ts';
import type { MlrfParams } from './mlrf.ts';
import { NeuralNetModel } from './nn.ts';
import type { NnParams } from './nn.ts';

export { HistRandomForestModel, HistGradientBoostingModel, LogisticRegressionModel, MlRandomForestModel, NeuralNetModel };
export { ModelFormatError, TrainingDataError } from './common.ts';
export type { RowContributions } from './common.ts';
export type { ForestParams, HgbParams, LogregParams, MlrfParams, NnParams };

/** Hyperparameters by learner kind. */
export interface LearnerParamsByKind {
  logreg: LogregParams;
  hgb: HgbParams;
  forest: ForestParams;
  mlrf: MlrfParams;
  nn: NnParams;
}

export type LearnerKind = keyof LearnerParamsByKind;

export const LEARNER_KINDS: readonly LearnerKind[] = ['logreg', 'hgb', 'forest', 'mlrf', 'nn'];

/** A learner of the given kind with validated hyperparameters (defaults for anything omitted). */
export function createLearner<K extends LearnerKind>(kind: K, params?: Partial<LearnerParamsByKind[K]>): RiskModel;
export function createLearner(kind: string, params?: Record<string, unknown>): RiskModel;
export function createLearner(kind: string, params: Record<string, unknown> = {}): RiskModel {
  switch (kind) {
    case 'logreg':
      return new LogisticRegressionModel(params as Partial<LogregParams>);
    case 'hgb':
      return new HistGradientBoostingModel(params as Partial<HgbParams>);
    case 'forest':
      return new HistRandomForestModel(params as Partial<ForestParams>);
    case 'mlrf':
      return new MlRandomForestModel(params as Partial<MlrfParams>);
    case 'nn':
      return new NeuralNetModel(params as Partial<NnParams>);
    default:
      throw new InvalidParameterError('learner', 'kind', kind, `must be one of ${LEARNER_KINDS.join(', ')}`);
  }
}

/** Restores a fitted learner from `toJSON()` output (also after a JSON round trip). */
export function learnerFromJSON(json: SerializedModel): RiskModel {
  switch (json?.kind) {
    case 'logreg':
      return LogisticRegressionModel.fromJSON(json);
    case 'hgb':
      return HistGradientBoostingModel.fromJSON(json);
    case 'forest':
      return HistRandomForestModel.fromJSON(json);
    case 'mlrf':
      return MlRandomForestModel.fromJSON(json);
    case 'nn':
      return NeuralNetModel.fromJSON(json);
    default:
      throw new ModelFormatError('learner', `unknown model kind '${String(json?.kind)}'`);
  }
}
