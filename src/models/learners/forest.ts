/**
 * A random forest on the same binned representation as `hgb`: each tree sees a bootstrap sample
 * (drawn as per-row multiplicities), considers a fresh sample of features at every split
 * (sqrt(p) by default, Breiman / scikit-learn), and splits on Gini (for a 0/1 outcome the Gini
 * decrease equals the variance decrease the shared tree grower computes). The probability is the
 * mean of the leaves' positive-class frequencies, as scikit-learn's predict_proba, not the share
 * of tree votes (the ml-random-forest defect noted in shared/data/README.md).
 */
import { Rng } from '../../lib/random.ts';
import { NotFittedError } from '../risk-model.ts';
import type { FeatureMatrix, FitOptions, RiskModel, SerializedModel } from '../risk-model.ts';
import { binMatrix, fitBinMapper, MAX_VALUE_BINS } from './binning.ts';
import {
  booleanParam,
  checkPredictMatrix,
  checkTrainingData,
  ModelFormatError,
  normaliseImportance,
  numberParam,
  rejectUnknownParams,
} from './common.ts';
import type { RowContributions } from './common.ts';
import { addPathContributions, growTree, leafForRow, treeFromJSON, treeToJSON } from './histogram-tree.ts';
import type { Tree, TreeJSON } from './histogram-tree.ts';
import { InvalidParameterError } from '../risk-model.ts';

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
  rejectUnknownParams(KIND, params, Object.keys(FOREST_DEFAULTS));
  const p = { ...FOREST_DEFAULTS, ...params };
  numberParam(KIND, 'nEstimators', p.nEstimators, { min: 1, integer: true });
  if (p.maxFeatures !== 'sqrt' && p.maxFeatures !== 'log2') {
    const v = p.maxFeatures;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (v > 1 && !Number.isInteger(v))) {
      throw new InvalidParameterError(KIND, 'maxFeatures', v, "must be 'sqrt', 'log2', a fraction in (0, 1] or an integer >= 1");
    }
  }
  if (p.maxDepth !== null) numberParam(KIND, 'maxDepth', p.maxDepth, { min: 1, integer: true });
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

interface ForestState {
  cols: number;
  trees: Tree[];
}

/** Histogram random forest; see the module comment. */
export class HistRandomForestModel implements RiskModel {
  readonly kind = KIND;
  readonly params: Readonly<ForestParams>;
  private state: ForestState | null = null;

  constructor(params: Partial<ForestParams> = {}) {
    this.params = validate(params);
  }

  get fitted(): boolean {
    return this.state !== null;
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: FitOptions = {}): Promise<HistRandomForestModel> {
    const weightAll = checkTrainingData(KIND, X, y, options.sampleWeight);
    const p = this.params;
    if (typeof p.maxFeatures === 'number' && p.maxFeatures > 1 && p.maxFeatures > X.cols) {
      throw new InvalidParameterError(KIND, 'maxFeatures', p.maxFeatures, `must not exceed the ${X.cols} features`);
    }
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
    const multiplicity = new Float64Array(n);
    const target = new Float64Array(n);
    const weight = new Float64Array(n);
    const trees: Tree[] = [];
    for (let t = 0; t < p.nEstimators; t++) {
      const treeRng = rng.fork(t);
      multiplicity.fill(p.bootstrap ? 0 : 1);
      if (p.bootstrap) for (let k = 0; k < n; k++) multiplicity[Math.floor(treeRng.next() * n)]! += 1;
      let inBag = 0;
      for (let i = 0; i < n; i++) {
        const w = multiplicity[i]! * weightAll[i]!;
        weight[i] = w;
        target[i] = w * y[i]!;
        if (w > 0) inBag++;
      }
      const rowIndex = new Uint32Array(inBag);
      for (let i = 0, k = 0; i < n; i++) if (weight[i]! > 0) rowIndex[k++] = i;
      trees.push(growTree(data, target, weight, rowIndex, mapper.edges, { ...config, nextUniform: () => treeRng.next() }));
      options.onProgress?.((t + 1) / p.nEstimators);
    }
    this.state = { cols: X.cols, trees };
    return this;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    const s = this.fittedState();
    checkPredictMatrix(KIND, X, s.cols);
    const out = new Float64Array(X.rows);
    const cols = X.cols;
    for (const tree of s.trees) {
      const value = tree.value;
      for (let i = 0; i < X.rows; i++) out[i] = out[i]! + value[leafForRow(tree, X.values, i * cols)]!;
    }
    const nTrees = s.trees.length;
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]! / nTrees));
    return out;
  }

  /** Mean decrease in impurity (weighted Gini gain) per feature, normalised. */
  featureImportance(): Float64Array {
    const s = this.fittedState();
    const total = new Float64Array(s.cols);
    for (const tree of s.trees) {
      for (let node = 0; node < tree.feature.length; node++) {
        const f = tree.feature[node]!;
        if (f >= 0) total[f] = total[f]! + tree.gain[node]!;
      }
    }
    return normaliseImportance(total);
  }

  /** Probability-scale Saabas contributions for row `row`: bias + sum(perFeature) = predicted probability. */
  contributions(X: FeatureMatrix, row: number): RowContributions {
    const s = this.fittedState();
    checkPredictMatrix(KIND, X, s.cols);
    if (!Number.isInteger(row) || row < 0 || row >= X.rows) throw new RangeError(`row ${row} is outside 0..${X.rows - 1}`);
    const perFeature = new Float64Array(s.cols);
    let bias = 0;
    for (const tree of s.trees) bias += addPathContributions(tree, X.values, row * X.cols, perFeature);
    const nTrees = s.trees.length;
    for (let f = 0; f < perFeature.length; f++) perFeature[f] = perFeature[f]! / nTrees;
    return { bias: bias / nTrees, perFeature, scale: 'probability' };
  }

  toJSON(): SerializedModel {
    const s = this.fittedState();
    return { kind: KIND, params: { ...this.params }, state: { cols: s.cols, trees: s.trees.map(treeToJSON) } };
  }

  /** Restores a model serialised by toJSON (predictions are bit-identical). */
  static fromJSON(json: SerializedModel): HistRandomForestModel {
    if (json.kind !== KIND) throw new ModelFormatError(KIND, `expected kind '${KIND}', got '${json.kind}'`);
    const model = new HistRandomForestModel(json.params as Partial<ForestParams>);
    const st = json.state as { cols: number; trees: TreeJSON[] } | null;
    if (!st || typeof st.cols !== 'number' || !Array.isArray(st.trees)) throw new ModelFormatError(KIND, 'state is missing cols or trees');
    model.state = { cols: st.cols, trees: st.trees.map(treeFromJSON) };
    return model;
  }

  private fittedState(): ForestState {
    if (!this.state) throw new NotFittedError(KIND);
    return this.state;
  }
}
