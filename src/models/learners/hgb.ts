/**
 * Histogram-based gradient boosting for a binary outcome (log-loss), after LightGBM and
 * scikit-learn's HistGradientBoostingClassifier: quantile bins learned at fit (missing in its own
 * bin, direction learned per split), leaf-wise trees under a leaf budget, Newton leaf values with
 * L2 regularisation, and early stopping on a seeded stratified validation split (on by default
 * above 10,000 rows, as scikit-learn's `early_stopping='auto'`).
 */
import { Rng } from '../../lib/random.ts';
import type { FeatureMatrix, FitOptions, SerializedModel } from '../risk-model.ts';
import { binMapperFromJSON, binMapperToJSON, binMatrix, fitBinMapper, MAX_VALUE_BINS } from './binning.ts';
import type { BinMapper } from './binning.ts';
import {
  booleanParam,
  checkTrainingData,
  logLossFromRaw,
  normaliseImportance,
  nullableNumberParam,
  numberParam,
  selectRows,
  sigmoid,
  sigmoidInPlace,
  stratifiedHoldout,
  withDefaults,
} from './common.ts';
import type { RowContributions } from './common.ts';
import { ensemblePathContributions, growTree, leafForBinnedRow, splitGainByFeature, treeFromJSON, treeToJSON } from './histogram-tree.ts';
import type { Tree, TreeJSON } from './histogram-tree.ts';
import { Learner } from './learner.ts';
import { addTreeScores } from './tree-ensemble.ts';
import type { EnsembleState } from './tree-ensemble.ts';

export interface HgbParams {
  learningRate: number;
  maxIter: number;
  maxLeafNodes: number;
  /** Depth limit; null for none (the leaf budget is the main limit). */
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2Regularization: number;
  maxBins: number;
  /** 'auto' = on when the training set has more than 10,000 rows (scikit-learn's rule). */
  earlyStopping: 'auto' | boolean;
  validationFraction: number;
  nIterNoChange: number;
  /** Smallest improvement in validation log-loss that counts as progress. */
  tol: number;
}

/** scikit-learn HistGradientBoostingClassifier's defaults. */
export const HGB_DEFAULTS: HgbParams = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  earlyStopping: 'auto',
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
};

const KIND = 'hgb';

function validate(params: Partial<HgbParams>): HgbParams {
  const p = withDefaults(KIND, params, HGB_DEFAULTS);
  numberParam(KIND, 'learningRate', p.learningRate, { min: 0, minExclusive: true, max: 1 });
  numberParam(KIND, 'maxIter', p.maxIter, { min: 1, integer: true });
  numberParam(KIND, 'maxLeafNodes', p.maxLeafNodes, { min: 2, integer: true });
  nullableNumberParam(KIND, 'maxDepth', p.maxDepth, { min: 1, integer: true });
  numberParam(KIND, 'minSamplesLeaf', p.minSamplesLeaf, { min: 1, integer: true });
  numberParam(KIND, 'l2Regularization', p.l2Regularization, { min: 0 });
  numberParam(KIND, 'maxBins', p.maxBins, { min: 2, max: MAX_VALUE_BINS, integer: true });
  if (p.earlyStopping !== 'auto') booleanParam(KIND, 'earlyStopping', p.earlyStopping);
  numberParam(KIND, 'validationFraction', p.validationFraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  numberParam(KIND, 'nIterNoChange', p.nIterNoChange, { min: 1, integer: true });
  numberParam(KIND, 'tol', p.tol, { min: 0 });
  return p;
}

interface HgbState extends EnsembleState {
  cols: number;
  baseline: number;
  trees: Tree[];
  edges: BinMapper;
  /** Validation log-loss per iteration (index 0 = baseline) when early stopping ran. */
  validationLoss: number[];
}

/** The saved state (the `state` of toJSON) read back; null when a required field is missing. */
function readSavedState(state: object): HgbState | null {
  const st = state as { cols: unknown; baseline: unknown; edges: unknown; trees: unknown; validationLoss?: number[] };
  if (typeof st.cols !== 'number' || typeof st.baseline !== 'number' || !Array.isArray(st.trees) || !Array.isArray(st.edges)) return null;
  return {
    cols: st.cols,
    baseline: st.baseline,
    edges: binMapperFromJSON(st.edges as number[][]),
    trees: (st.trees as TreeJSON[]).map(treeFromJSON),
    validationLoss: st.validationLoss ?? [],
  };
}

/** Histogram gradient-boosted trees; see the module comment. */
export class HistGradientBoostingModel extends Learner<HgbParams, HgbState> {
  constructor(params: Partial<HgbParams> = {}) {
    super(KIND, validate(params));
  }

  /** Number of boosting iterations kept (after early stopping). */
  get nIter(): number {
    return this.fittedState().trees.length;
  }

  /** Validation log-loss per iteration (empty when early stopping was off). */
  get validationLoss(): readonly number[] {
    return this.fittedState().validationLoss;
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: FitOptions = {}): Promise<HistGradientBoostingModel> {
    const weightAll = checkTrainingData(KIND, X, y, options.sampleWeight);
    const p = this.params;
    const rng = new Rng(options.seed ?? 0);
    const useEarlyStopping = p.earlyStopping === 'auto' ? X.rows > 10_000 : p.earlyStopping;

    let trainX = X;
    let trainY = y;
    let trainW = weightAll;
    let valX: FeatureMatrix | null = null;
    let valY: Uint8Array | null = null;
    let valW: Float64Array | null = null;
    if (useEarlyStopping) {
      const split = stratifiedHoldout(y, p.validationFraction, () => rng.next());
      trainX = selectRows(X, split.train);
      trainY = Uint8Array.from(split.train, (r) => y[r]!);
      trainW = Float64Array.from(split.train, (r) => weightAll[r]!);
      valX = selectRows(X, split.validation);
      valY = Uint8Array.from(split.validation, (r) => y[r]!);
      valW = Float64Array.from(split.validation, (r) => weightAll[r]!);
    }

    const n = trainX.rows;
    const mapper = fitBinMapper(trainX, p.maxBins);
    const codes = binMatrix(mapper, trainX);
    const binsPerFeature = Int32Array.from(mapper.edges, (e) => e.length + 1);
    const data = { rows: n, cols: trainX.cols, codes, binsPerFeature };

    // Start from the weighted log-odds of the base rate.
    let sumW = 0;
    let sumWY = 0;
    for (let i = 0; i < n; i++) {
      sumW += trainW[i]!;
      sumWY += trainW[i]! * trainY[i]!;
    }
    const rate = Math.min(1 - 1e-12, Math.max(1e-12, sumWY / sumW));
    const baseline = Math.log(rate / (1 - rate));
    const raw = new Float64Array(n).fill(baseline);
    const target = new Float64Array(n);
    const hess = new Float64Array(n);
    const rowIndex = new Uint32Array(n);

    const valCodes = valX ? binMatrix(mapper, valX) : null;
    const valRaw = valX ? new Float64Array(valX.rows).fill(baseline) : null;
    const validationLoss: number[] = [];
    if (valRaw) validationLoss.push(logLossFromRaw(valRaw, valY!, valW!));
    let bestIter = 0;
    let bestLoss = validationLoss[0] ?? Infinity;

    const trees: Tree[] = [];
    const config = {
      maxLeafNodes: p.maxLeafNodes,
      maxDepth: p.maxDepth ?? Infinity,
      minSamplesLeaf: p.minSamplesLeaf,
      minHessianLeaf: 1e-3,
      l2: p.l2Regularization,
      featuresPerSplit: trainX.cols,
      valueScale: p.learningRate,
    };
    const onLeaf = (start: number, end: number, value: number) => {
      for (let k = start; k < end; k++) {
        const r = rowIndex[k]!;
        raw[r] = raw[r]! + value;
      }
    };

    for (let iter = 0; iter < p.maxIter; iter++) {
      // Negative gradient and hessian of the log-loss at the current scores.
      for (let i = 0; i < n; i++) {
        const prob = sigmoid(raw[i]!);
        const w = trainW[i]!;
        target[i] = (trainY[i]! - prob) * w;
        hess[i] = Math.max(prob * (1 - prob), 1e-16) * w;
        rowIndex[i] = i;
      }
      const tree = growTree(data, target, hess, rowIndex, mapper.edges, config, onLeaf);
      trees.push(tree);
      options.onProgress?.((iter + 1) / p.maxIter);

      if (valRaw && valCodes) {
        const vRows = valRaw.length;
        for (let i = 0; i < vRows; i++) valRaw[i] = valRaw[i]! + tree.value[leafForBinnedRow(tree, valCodes, vRows, i)]!;
        const loss = logLossFromRaw(valRaw, valY!, valW!);
        validationLoss.push(loss);
        if (loss < bestLoss - p.tol) {
          bestLoss = loss;
          bestIter = iter + 1;
        } else if (iter + 1 - bestIter >= p.nIterNoChange) {
          break;
        }
      }
    }
    // Keep the trees up to the best validation score (scikit-learn keeps the overshoot; we don't).
    if (valRaw) trees.length = Math.max(1, bestIter);
    options.onProgress?.(1);
    this.state = { cols: X.cols, baseline, trees, edges: mapper, validationLoss };
    return this;
  }

  /** Raw log-odds per row. */
  decisionFunction(X: FeatureMatrix): Float64Array {
    const s = this.stateForScoring(X);
    return addTreeScores(s, X, new Float64Array(X.rows).fill(s.baseline));
  }

  predictProba(X: FeatureMatrix): Float64Array {
    return sigmoidInPlace(this.decisionFunction(X));
  }

  /** Total split gain per feature, normalised. */
  featureImportance(): Float64Array {
    const s = this.fittedState();
    return normaliseImportance(splitGainByFeature(s.trees, s.cols));
  }

  /**
   * Log-odds contributions of each feature for row `row` of X (Saabas path attribution):
   * bias + sum(perFeature) equals the row's decision function.
   */
  contributions(X: FeatureMatrix, row: number): RowContributions {
    const s = this.stateForRow(X, row);
    const { bias, perFeature } = ensemblePathContributions(s.trees, X.values, row * X.cols, s.cols, s.baseline);
    return { bias, perFeature, scale: 'log-odds' };
  }

  protected stateToJSON(s: HgbState): unknown {
    return { cols: s.cols, baseline: s.baseline, edges: binMapperToJSON(s.edges), trees: s.trees.map(treeToJSON), validationLoss: s.validationLoss };
  }

  /** Restores a model serialised by toJSON (predictions are bit-identical). */
  static fromJSON(json: SerializedModel): HistGradientBoostingModel {
    return Learner.restore(json, KIND, (params) => new HistGradientBoostingModel(params as Partial<HgbParams>), readSavedState, 'cols, baseline, edges or trees');
  }

}
