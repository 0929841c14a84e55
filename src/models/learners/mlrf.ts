/**
 * The `ml-random-forest` library the bureau's documents name, wrapped as a RiskModel for small
 * tables. Known problems (shared/data/README.md, measured on Framingham with 2.1.0):
 * - about 470x slower to fit than scikit-learn's forest (355 s for 200 trees on 3,400 rows);
 *   use `forest` for anything larger than a few thousand rows;
 * - `predictProbability` returns the share of tree votes, not the mean leaf frequency, and its
 *   running sum drops the first tree's vote (errors up to 0.005);
 * - features are sampled once per tree, not per split (`maxFeatures` here means per tree);
 * - out-of-bag scoring crashes with few trees, so it is always switched off (`noOOB`);
 * - it cannot take NaN.
 * Worked around here: the library only trains. Probabilities are computed by walking each
 * trained tree ourselves and averaging the leaves' positive-class frequencies over all trees
 * (the first included), and NaN is median-imputed with medians learned at fit. The serialised
 * trees are plain JSON, so scoring a restored model needs nothing from the library.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { InvalidParameterError } from '../risk-model.ts';
import type { FeatureMatrix, FitOptions, SerializedModel } from '../risk-model.ts';
import {
  booleanParam,
  checkFeatureCount,
  checkTrainingData,
  isShareOrCount,
  normaliseImportance,
  nullableNumberParam,
  numberParam,
  TrainingDataError,
  withDefaults,
} from './common.ts';
import { Learner } from './learner.ts';
import { fitPreprocessor, imputeRow } from './preprocess.ts';

export interface MlrfParams {
  nEstimators: number;
  /** Share (0, 1] or count (integer >= 1) of features each tree sees (sampled once per tree). */
  maxFeatures: number;
  /** Sample the per-tree features with replacement (the library's default). */
  replacement: boolean;
  maxDepth: number | null;
  /** ml-cart's minimum samples to split a node. */
  minNumSamples: number;
  /** ml-cart's minimum Gini gain to split. */
  gainThreshold: number;
}

/** The library's own defaults (nEstimators 50, every feature, replacement, ml-cart tree options). */
export const MLRF_DEFAULTS: MlrfParams = {
  nEstimators: 50,
  maxFeatures: 1,
  replacement: true,
  maxDepth: null,
  minNumSamples: 3,
  gainThreshold: 0.01,
};

const KIND = 'mlrf';

function validate(params: Partial<MlrfParams>): MlrfParams {
  const p = withDefaults(KIND, params, MLRF_DEFAULTS);
  numberParam(KIND, 'nEstimators', p.nEstimators, { min: 1, integer: true });
  if (!isShareOrCount(p.maxFeatures)) {
    throw new InvalidParameterError(KIND, 'maxFeatures', p.maxFeatures, 'must be a fraction in (0, 1] or an integer >= 1');
  }
  booleanParam(KIND, 'replacement', p.replacement);
  nullableNumberParam(KIND, 'maxDepth', p.maxDepth, { min: 1, integer: true });
  numberParam(KIND, 'minNumSamples', p.minNumSamples, { min: 1, integer: true });
  numberParam(KIND, 'gainThreshold', p.gainThreshold, { min: 0 });
  return p;
}

/** An ml-cart tree node as it serialises to JSON. */
interface CartNode {
  splitColumn?: number;
  splitValue?: number;
  gain?: number;
  numberSamples?: number;
  left?: CartNode;
  right?: CartNode;
  /** Class frequencies at a leaf, a 1 x classes matrix. */
  distribution?: number[][];
}

interface MlrfState {
  cols: number;
  medians: number[];
  /** Per tree, the original feature index of each column the tree was trained on. */
  indexes: number[][];
  roots: CartNode[];
}

/** The saved state (the `state` of toJSON) read back; null when a required field is missing. */
function readSavedState(state: object): MlrfState | null {
  const st = state as MlrfState;
  return typeof st.cols === 'number' && Array.isArray(st.roots) && Array.isArray(st.indexes) && Array.isArray(st.medians) ? st : null;
}

/** ml-random-forest, with probabilities computed correctly; see the module comment. */
export class MlRandomForestModel extends Learner<MlrfParams, MlrfState> {
  constructor(params: Partial<MlrfParams> = {}) {
    super(KIND, validate(params));
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: FitOptions = {}): Promise<MlRandomForestModel> {
    checkTrainingData(KIND, X, y, undefined);
    if (options.sampleWeight) throw new TrainingDataError(KIND, 'ml-random-forest cannot use sample weights; use forest');
    const p = this.params;
    checkFeatureCount(KIND, p.maxFeatures, X.cols);
    const medians = fitPreprocessor(X, false).medians;
    const rows = imputedRows(X, medians);
    const forest = new RandomForestClassifier({
      nEstimators: p.nEstimators,
      // The library reads 1 (an integer) as "one feature"; 1.0 as a share must be passed as the count.
      maxFeatures: p.maxFeatures === 1 ? X.cols : p.maxFeatures,
      replacement: p.replacement,
      seed: (options.seed ?? 42) | 0,
      useSampleBagging: true,
      noOOB: true,
      treeOptions: { minNumSamples: p.minNumSamples, maxDepth: p.maxDepth ?? Infinity, gainThreshold: p.gainThreshold },
    });
    forest.train(rows, Array.from(y));
    options.onProgress?.(1);
    const model = JSON.parse(JSON.stringify(forest.toJSON())) as { baseModel: { indexes: number[][]; estimators: { root: CartNode }[] } };
    this.state = { cols: X.cols, medians, indexes: model.baseModel.indexes, roots: model.baseModel.estimators.map((e) => e.root) };
    return this;
  }

  /** Mean over all trees of the leaf's positive-class frequency. */
  predictProba(X: FeatureMatrix): Float64Array {
    const s = this.stateForScoring(X);
    const out = new Float64Array(X.rows);
    const row = new Float64Array(X.cols);
    for (let i = 0; i < X.rows; i++) {
      imputeRow(X.values, i * X.cols, X.cols, s.medians, row);
      let sum = 0;
      for (let t = 0; t < s.roots.length; t++) {
        const columns = s.indexes[t]!;
        let node = s.roots[t]!;
        // ml-cart's rule: value < splitValue goes left.
        while (node.left && node.right) node = row[columns[node.splitColumn!]!]! < node.splitValue! ? node.left : node.right;
        sum += node.distribution?.[0]?.[1] ?? 0;
      }
      out[i] = sum / s.roots.length;
    }
    return out;
  }

  /** Sample-weighted Gini gain per feature over all splits, normalised. */
  featureImportance(): Float64Array {
    const s = this.fittedState();
    const total = new Float64Array(s.cols);
    const visit = (node: CartNode | undefined, columns: number[]) => {
      if (!node || !node.left || !node.right || node.splitColumn === undefined) return;
      const f = columns[node.splitColumn]!;
      total[f] = total[f]! + Math.max(0, node.gain ?? 0) * (node.numberSamples ?? 0);
      visit(node.left, columns);
      visit(node.right, columns);
    };
    s.roots.forEach((root, t) => visit(root, s.indexes[t]!));
    return normaliseImportance(total);
  }

  protected stateToJSON(s: MlrfState): unknown {
    return s;
  }

  /** Restores a model serialised by toJSON (predictions are bit-identical). */
  static fromJSON(json: SerializedModel): MlRandomForestModel {
    return Learner.restore(json, KIND, (params) => new MlRandomForestModel(params as Partial<MlrfParams>), readSavedState, 'cols, medians, indexes or roots');
  }

}

/** The rows of X as arrays (the library's input), missing values replaced by the training medians. */
function imputedRows(X: FeatureMatrix, medians: number[]): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < X.rows; i++) rows.push(imputeRow(X.values, i * X.cols, X.cols, medians, new Array<number>(X.cols)));
  return rows;
}
