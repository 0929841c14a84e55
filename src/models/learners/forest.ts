/**
 * A random forest on the same binned representation as `hgb`: each tree sees a bootstrap sample
 * (drawn as per-row multiplicities), considers a fresh sample of features at every split
 * (sqrt(p) by default, Breiman / scikit-learn), and splits on Gini (for a 0/1 outcome the Gini
 * decrease equals the variance decrease the shared tree grower computes). The probability is the
 * mean of the leaves' positive-class frequencies, as scikit-learn's predict_proba, not the share
 * of tree votes (the ml-random-forest defect noted in shared/data/README.md).
 */
import { Rng } from '../../lib/random.ts';
import { InvalidParameterError } from '../risk-model.ts';
import type { FeatureMatrix, FitOptions, SerializedModel } from '../risk-model.ts';
import { binMatrix, fitBinMapper, MAX_VALUE_BINS } from './binning.ts';
import {
  booleanParam,
  checkFeatureCount,
  checkTrainingData,
  isShareOrCount,
  normaliseImportance,
  nullableNumberParam,
  numberParam,
  withDefaults,
} from './common.ts';
import type { RowContributions } from './common.ts';
import { growForestTrees } from './forest-trees.ts';
import type { ForestJob } from './forest-trees.ts';
import { ensemblePathContributions, splitGainByFeature, treeFromJSON, treeToJSON } from './histogram-tree.ts';
import type { Tree, TreeJSON } from './histogram-tree.ts';
import { Learner } from './learner.ts';
import { addTreeScores } from './tree-ensemble.ts';
import type { EnsembleState } from './tree-ensemble.ts';

export interface ForestParams {
  nEstimators: number;
  /** Features per split: 'sqrt', 'log2', a fraction in (0, 1], or an integer count >= 1. */
  maxFeatures: 'sqrt' | 'log2' | number;
  maxDepth: number | null;
  /** In-bag rows (distinct) a leaf must hold. */
  minSamplesLeaf: number;
  maxBins: number;
  bootstrap: boolean;
}

export const FOREST_DEFAULTS: ForestParams = {
  nEstimators: 100,
  maxFeatures: 'sqrt',
  maxDepth: null,
  minSamplesLeaf: 5,
  maxBins: 255,
  bootstrap: true,
};

const KIND = 'forest';

function validate(params: Partial<ForestParams>): ForestParams {
  const p = withDefaults(KIND, params, FOREST_DEFAULTS);
  numberParam(KIND, 'nEstimators', p.nEstimators, { min: 1, integer: true });
  if (p.maxFeatures !== 'sqrt' && p.maxFeatures !== 'log2' && !isShareOrCount(p.maxFeatures)) {
    throw new InvalidParameterError(KIND, 'maxFeatures', p.maxFeatures, "must be 'sqrt', 'log2', a fraction in (0, 1] or an integer >= 1");
  }
  nullableNumberParam(KIND, 'maxDepth', p.maxDepth, { min: 1, integer: true });
  numberParam(KIND, 'minSamplesLeaf', p.minSamplesLeaf, { min: 1, integer: true });
  numberParam(KIND, 'maxBins', p.maxBins, { min: 2, max: MAX_VALUE_BINS, integer: true });
  booleanParam(KIND, 'bootstrap', p.bootstrap);
  return p;
}

function featuresPerSplit(maxFeatures: ForestParams['maxFeatures'], cols: number): number {
  let k: number;
  if (maxFeatures === 'sqrt') k = Math.floor(Math.sqrt(cols));
  else if (maxFeatures === 'log2') k = Math.floor(Math.log2(cols));
  else if (maxFeatures <= 1) k = Math.floor(maxFeatures * cols);
  else k = maxFeatures;
  return Math.min(cols, Math.max(1, k));
}

interface ForestState extends EnsembleState {
  cols: number;
  trees: Tree[];
}

/** The saved state (the `state` of toJSON) read back; null when a required field is missing. */
function readSavedState(state: object): ForestState | null {
  const st = state as { cols: unknown; trees: unknown };
  return typeof st.cols === 'number' && Array.isArray(st.trees) ? { cols: st.cols, trees: (st.trees as TreeJSON[]).map(treeFromJSON) } : null;
}

/** Histogram random forest; see the module comment. */
export class HistRandomForestModel extends Learner<ForestParams, ForestState> {
  constructor(params: Partial<ForestParams> = {}) {
    super(KIND, validate(params));
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: FitOptions = {}): Promise<HistRandomForestModel> {
    const weightAll = checkTrainingData(KIND, X, y, options.sampleWeight);
    const p = this.params;
    checkFeatureCount(KIND, p.maxFeatures, X.cols);
    const rng = new Rng(options.seed ?? 0);
    const n = X.rows;
    const mapper = fitBinMapper(X, p.maxBins);
    const codes = binMatrix(mapper, X);
    const data = { rows: n, cols: X.cols, codes, binsPerFeature: Int32Array.from(mapper.edges, (e) => e.length + 1) };
    const config = {
      maxLeafNodes: Infinity,
      maxDepth: p.maxDepth ?? Infinity,
      minSamplesLeaf: p.minSamplesLeaf,
      minHessianLeaf: 1e-12,
      l2: 0,
      featuresPerSplit: featuresPerSplit(p.maxFeatures, X.cols),
      valueScale: 1,
    };
    const job: ForestJob = { data, y, sampleWeight: weightAll, edges: mapper.edges, config, bootstrap: p.bootstrap };
    const seeds = Array.from({ length: p.nEstimators }, (_, t) => rng.forkSeed(t));
    const trees = await growForestTrees(job, seeds, options);
    this.state = { cols: X.cols, trees };
    return this;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    const s = this.stateForScoring(X);
    const out = addTreeScores(s, X, new Float64Array(X.rows));
    const nTrees = s.trees.length;
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]! / nTrees));
    return out;
  }

  /** Mean decrease in impurity (weighted Gini gain) per feature, normalised. */
  featureImportance(): Float64Array {
    const s = this.fittedState();
    return normaliseImportance(splitGainByFeature(s.trees, s.cols));
  }

  /** Probability-scale Saabas contributions for row `row`: bias + sum(perFeature) = predicted probability. */
  contributions(X: FeatureMatrix, row: number): RowContributions {
    const s = this.stateForRow(X, row);
    const { bias, perFeature } = ensemblePathContributions(s.trees, X.values, row * X.cols, s.cols, 0);
    const nTrees = s.trees.length;
    for (let f = 0; f < perFeature.length; f++) perFeature[f] = perFeature[f]! / nTrees;
    return { bias: bias / nTrees, perFeature, scale: 'probability' };
  }

  protected stateToJSON(s: ForestState): unknown {
    return { cols: s.cols, trees: s.trees.map(treeToJSON) };
  }

  /** Restores a model serialised by toJSON (predictions are bit-identical). */
  static fromJSON(json: SerializedModel): HistRandomForestModel {
    return Learner.restore(json, KIND, (params) => new HistRandomForestModel(params as Partial<ForestParams>), readSavedState, 'cols or trees');
  }

}
