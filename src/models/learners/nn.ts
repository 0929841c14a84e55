/**
 * A small multilayer perceptron (ReLU hidden layers, sigmoid output, weighted log-loss plus an L2
 * penalty on the weights), trained with @tensorflow/tfjs and Adam, with seeded Glorot
 * initialisation, seeded mini-batch order and early stopping on a seeded stratified validation
 * split (the best epoch's weights are kept).
 *
 * tfjs is imported lazily inside `fit`, so code that never trains a network does not pay its
 * start-up; it trains on the fastest backend the process can load (tensorflow-runtime.ts), and
 * the fitted state names that backend. Scoring is a plain float64 forward pass over the learned
 * weights, so a restored model needs neither tfjs nor its save format, and predictions after
 * save-reload are bit-identical.
 */
import type * as Tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/random.ts';
import { InvalidParameterError } from '../risk-model.ts';
import type { FeatureMatrix, FitOptions, SerializedModel } from '../risk-model.ts';
import { booleanParam, checkTrainingData, normaliseImportance, numberParam, sigmoid, stratifiedHoldout, withDefaults } from './common.ts';
import { Learner } from './learner.ts';
import { loadTensorflow } from './tensorflow-runtime.ts';
import type { TensorflowBackend } from './tensorflow-runtime.ts';
import { fitPreprocessor, outputWidth, transform } from './preprocess.ts';
import type { Preprocessor } from './preprocess.ts';

export interface NnParams {
  /** Units per hidden layer. */
  hiddenLayers: number[];
  learningRate: number;
  /** L2 penalty on the weights (not the biases), added to the mean log-loss. */
  l2: number;
  batchSize: number;
  maxEpochs: number;
  validationFraction: number;
  /** Epochs without validation improvement before stopping. */
  patience: number;
  missingIndicators: boolean;
}

export const NN_DEFAULTS: NnParams = {
  hiddenLayers: [32, 16],
  learningRate: 0.001,
  l2: 1e-4,
  batchSize: 256,
  maxEpochs: 100,
  validationFraction: 0.1,
  patience: 3,
  missingIndicators: true,
};

const KIND = 'nn';

function validate(params: Partial<NnParams>): NnParams {
  const p = withDefaults(KIND, params, NN_DEFAULTS);
  if (!Array.isArray(p.hiddenLayers) || p.hiddenLayers.length === 0 || p.hiddenLayers.some((u) => !Number.isInteger(u) || u < 1)) {
    throw new InvalidParameterError(KIND, 'hiddenLayers', p.hiddenLayers, 'must be a non-empty list of positive integers');
  }
  numberParam(KIND, 'learningRate', p.learningRate, { min: 0, minExclusive: true });
  numberParam(KIND, 'l2', p.l2, { min: 0 });
  numberParam(KIND, 'batchSize', p.batchSize, { min: 1, integer: true });
  numberParam(KIND, 'maxEpochs', p.maxEpochs, { min: 1, integer: true });
  numberParam(KIND, 'validationFraction', p.validationFraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  numberParam(KIND, 'patience', p.patience, { min: 1, integer: true });
  booleanParam(KIND, 'missingIndicators', p.missingIndicators);
  return { ...p, hiddenLayers: [...p.hiddenLayers] };
}

/** One dense layer: weights row-major [inputs x units]. */
interface Layer {
  inputs: number;
  units: number;
  weights: number[];
  bias: number[];
}

interface NnState {
  cols: number;
  pre: Preprocessor;
  layers: Layer[];
  epochs: number;
  bestValidationLoss: number;
  /** Absent in models saved before the backend was chosen at run time: those trained on cpu. */
  backend?: TensorflowBackend;
}

/** The saved state (the `state` of toJSON) read back; null when a required field is missing. */
function readSavedState(state: object): NnState | null {
  const st = state as NnState;
  return typeof st.cols === 'number' && Array.isArray(st.layers) && st.pre ? st : null;
}

/** Multilayer perceptron; see the module comment. */
export class NeuralNetModel extends Learner<NnParams, NnState> {
  constructor(params: Partial<NnParams> = {}) {
    super(KIND, validate(params));
  }

  /** The tfjs backend that trained it ('cpu' for models saved before the choice was recorded). */
  get backend(): TensorflowBackend {
    return this.fittedState().backend ?? 'cpu';
  }

  /** Epochs trained before early stopping. */
  get epochs(): number {
    return this.fittedState().epochs;
  }

  async fit(X: FeatureMatrix, y: Uint8Array, options: FitOptions = {}): Promise<NeuralNetModel> {
    const weightAll = checkTrainingData(KIND, X, y, options.sampleWeight);
    const p = this.params;
    const seed = (options.seed ?? 0) >>> 0;
    const rng = new Rng(seed);
    const split = stratifiedHoldout(y, p.validationFraction, () => rng.next());
    const pre = fitPreprocessor(X, p.missingIndicators, weightAll);
    const width = outputWidth(pre);
    const Z = transform(pre, X);

    const pack = (rows: Uint32Array) => {
      const x = new Float32Array(rows.length * width);
      const labels = new Float32Array(rows.length);
      const w = new Float32Array(rows.length);
      rows.forEach((r, k) => {
        x.set(Z.subarray(r * width, (r + 1) * width), k * width);
        labels[k] = y[r]!;
        w[k] = weightAll[r]!;
      });
      return { x, labels, w, n: rows.length };
    };
    const train = pack(split.train);
    const val = pack(split.validation);

    const { tf, backend } = await loadTensorflow();

    const sizes = [width, ...p.hiddenLayers, 1];
    const variables: { w: Tf.Variable; b: Tf.Variable }[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const init = tf.initializers.glorotUniform({ seed: seed + l + 1 });
      const w = tf.tidy(() => tf.variable(init.apply([sizes[l]!, sizes[l + 1]!]) as Tf.Tensor2D));
      const b = tf.tidy(() => tf.variable(tf.zeros([sizes[l + 1]!])));
      variables.push({ w, b });
    }
    const optimizer = tf.train.adam(p.learningRate);
    const trainX = tf.tensor2d(train.x, [train.n, width]);
    const trainY = tf.tensor2d(train.labels, [train.n, 1]);
    const trainW = tf.tensor2d(train.w, [train.n, 1]);
    const valX = tf.tensor2d(val.x, [val.n, width]);
    const valY = tf.tensor2d(val.labels, [val.n, 1]);
    const valW = tf.tensor2d(val.w, [val.n, 1]);

    const logits = (x: Tf.Tensor2D) => {
      let h: Tf.Tensor2D = x;
      variables.forEach(({ w, b }, l) => {
        const z = tf.add(tf.matMul(h, w), b) as Tf.Tensor2D;
        h = l + 1 < variables.length ? tf.relu(z) : z;
      });
      return h;
    };
    const meanLoss = (x: Tf.Tensor2D, labels: Tf.Tensor2D, w: Tf.Tensor2D) =>
      tf.losses.sigmoidCrossEntropy(labels, logits(x), w, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);

    let best: Layer[] = snapshot(variables, sizes);
    let bestLoss = Infinity;
    let sinceBest = 0;
    let epoch = 0;
    const order = Array.from({ length: train.n }, (_, i) => i);
    try {
      for (; epoch < p.maxEpochs; epoch++) {
        rng.shuffle(order);
        for (let start = 0; start < train.n; start += p.batchSize) {
          const batch = Int32Array.from(order.slice(start, start + p.batchSize));
          tf.tidy(() => {
            const idx = tf.tensor1d(batch, 'int32');
            const xb = tf.gather(trainX, idx) as Tf.Tensor2D;
            const yb = tf.gather(trainY, idx) as Tf.Tensor2D;
            const wb = tf.gather(trainW, idx) as Tf.Tensor2D;
            optimizer.minimize(() => {
              let loss = meanLoss(xb, yb, wb);
              if (p.l2 > 0) for (const { w } of variables) loss = tf.add(loss, tf.mul(p.l2, tf.sum(tf.square(w))));
              return loss as Tf.Scalar;
            });
          });
        }
        const lossTensor = tf.tidy(() => meanLoss(valX, valY, valW));
        const loss = (await lossTensor.data())[0]!;
        lossTensor.dispose();
        options.onProgress?.((epoch + 1) / p.maxEpochs);
        if (loss < bestLoss - 1e-6) {
          bestLoss = loss;
          best = snapshot(variables, sizes);
          sinceBest = 0;
        } else if (++sinceBest >= p.patience) {
          epoch++;
          break;
        }
      }
    } finally {
      for (const t of [trainX, trainY, trainW, valX, valY, valW]) t.dispose();
      for (const { w, b } of variables) {
        w.dispose();
        b.dispose();
      }
      optimizer.dispose();
    }
    options.onProgress?.(1);
    this.state = { cols: X.cols, pre, layers: best, epochs: epoch, bestValidationLoss: bestLoss, backend };
    return this;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    const s = this.stateForScoring(X);
    const Z = transform(s.pre, X);
    const width = outputWidth(s.pre);
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let h: Float64Array = Z.subarray(i * width, (i + 1) * width);
      s.layers.forEach((layer, l) => {
        const next = new Float64Array(layer.units);
        for (let u = 0; u < layer.units; u++) next[u] = layer.bias[u]!;
        for (let k = 0; k < layer.inputs; k++) {
          const hk = h[k]!;
          if (hk === 0) continue;
          const base = k * layer.units;
          for (let u = 0; u < layer.units; u++) next[u] = next[u]! + hk * layer.weights[base + u]!;
        }
        if (l + 1 < s.layers.length) for (let u = 0; u < layer.units; u++) if (next[u]! < 0) next[u] = 0;
        h = next;
      });
      out[i] = sigmoid(h[0]!);
    }
    return out;
  }

  /**
   * Share of first-layer absolute weight per feature (its missing indicator added): a rough
   * guide on standardised input, not an attribution; use permutation importance for decisions.
   */
  featureImportance(): Float64Array {
    const s = this.fittedState();
    const first = s.layers[0]!;
    const perColumn = new Float64Array(first.inputs);
    for (let k = 0; k < first.inputs; k++) {
      for (let u = 0; u < first.units; u++) perColumn[k] = perColumn[k]! + Math.abs(first.weights[k * first.units + u]!);
    }
    const out = perColumn.slice(0, s.cols);
    s.pre.indicatorFeatures.forEach((f, k) => {
      out[f] = out[f]! + perColumn[s.cols + k]!;
    });
    return normaliseImportance(out);
  }

  protected stateToJSON(s: NnState): unknown {
    return s;
  }

  /** Restores a model serialised by toJSON (predictions are bit-identical; no tfjs needed). */
  static fromJSON(json: SerializedModel): NeuralNetModel {
    return Learner.restore(json, KIND, (params) => new NeuralNetModel(params as Partial<NnParams>), readSavedState, 'cols, pre or layers');
  }

}

/** Copies the current weights out of tfjs into plain arrays (float32 values, exact in JSON). */
function snapshot(variables: { w: Tf.Variable; b: Tf.Variable }[], sizes: number[]): Layer[] {
  return variables.map(({ w, b }, l) => ({
    inputs: sizes[l]!,
    units: sizes[l + 1]!,
    weights: Array.from(w.dataSync()),
    bias: Array.from(b.dataSync()),
  }));
}
