import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, matrixFromRows, NotFittedError } from '../../../src/models/risk-model.ts';
import type { FeatureMatrix, RiskModel, SerializedModel } from '../../../src/models/risk-model.ts';
import {
  createLearner,
  HistGradientBoostingModel,
  HistRandomForestModel,
  LEARNER_KINDS,
  learnerFromJSON,
  LogisticRegressionModel,
  ModelFormatError,
  NeuralNetModel,
  TrainingDataError,
} from '../../../src/models/learners/index.ts';
import type { LearnerKind } from '../../../src/models/learners/index.ts';
import { binValue, fitBinMapper, MISSING_BIN } from '../../../src/models/learners/binning.ts';
import { loadTensorflow } from '../../../src/models/learners/tensorflow-runtime.ts';
import { auc, simulateLogistic, simulateNonlinear } from './simulate.ts';

/** Small, fast settings per kind (ml-random-forest and tfjs are slow; see the benchmark for full sizes). */
const FAST: Record<LearnerKind, Record<string, unknown>> = {
  logreg: {},
  hgb: {},
  forest: { nEstimators: 50 },
  mlrf: { nEstimators: 10, maxDepth: 4 },
  nn: { maxEpochs: 40, batchSize: 250, learningRate: 0.01 },
};
/** Training rows per kind for the nonlinear problem. */
const ROWS: Record<LearnerKind, number> = { logreg: 2000, hgb: 3000, forest: 3000, mlrf: 300, nn: 1000 };

const test = simulateNonlinear(2000, 6, 99, 0.05);

describe.each(LEARNER_KINDS.map((k) => [k]))('%s', (kind) => {
  let fitted: RiskModel | null = null;
  const getFitted = async () => {
    if (!fitted) {
      const train = simulateNonlinear(ROWS[kind], 6, 1, 0.05);
      fitted = await createLearner(kind, FAST[kind]).fit(train.X, train.y, { seed: 7 });
    }
    return fitted;
  };

  it('refuses to predict, explain or serialise before fit', () => {
    const model = createLearner(kind, FAST[kind]);
    expect(model.fitted).toBe(false);
    expect(() => model.predictProba(test.X)).toThrow(NotFittedError);
    expect(() => model.featureImportance()).toThrow(NotFittedError);
    expect(() => model.toJSON()).toThrow(NotFittedError);
  });

  it('names a bad hyperparameter', () => {
    const bad: Record<LearnerKind, [string, unknown]> = {
      logreg: ['l2', -1],
      hgb: ['learningRate', 0],
      forest: ['maxFeatures', 'all'],
      mlrf: ['nEstimators', 2.5],
      nn: ['hiddenLayers', [8, 0]],
    };
    const [param, value] = bad[kind];
    expect(() => createLearner(kind, { [param]: value })).toThrow(InvalidParameterError);
    expect(() => createLearner(kind, { [param]: value })).toThrow(`parameter ${param}=`);
    expect(() => createLearner(kind, { notAParameter: 1 })).toThrow(/notAParameter/);
  });

  it('gives probabilities in [0, 1] and ranks well on a nonlinear problem (or, for logreg, above chance)', async () => {
    const model = await getFitted();
    expect(model.fitted).toBe(true);
    const p = model.predictProba(test.X);
    expect(p.length).toBe(test.X.rows);
    for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    // logreg is linear and cannot see x1^2 or x2*x3; the others should.
    const floor = kind === 'logreg' ? 0.6 : kind === 'mlrf' ? 0.75 : 0.8;
    expect(auc(p, test.y)).toBeGreaterThan(floor);
  });

  it('restores from JSON with bit-identical predictions', async () => {
    const model = await getFitted();
    const restored = learnerFromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.kind).toBe(kind);
    expect(restored.fitted).toBe(true);
    expect(Array.from(restored.predictProba(test.X))).toEqual(Array.from(model.predictProba(test.X)));
    expect(Array.from(restored.featureImportance())).toEqual(Array.from(model.featureImportance()));
  });

  it('scores rows that are entirely missing and has importances that sum to 1', async () => {
    const model = await getFitted();
    const allMissing = matrixFromRows([new Array(6).fill(NaN), [NaN, 0, NaN, 1, NaN, 2]], test.X.featureNames);
    for (const v of model.predictProba(allMissing)) expect(v >= 0 && v <= 1).toBe(true);
    const imp = model.featureImportance();
    expect(imp.length).toBe(6);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    for (const v of imp) expect(v).toBeGreaterThanOrEqual(0);
  });
});

describe('createLearner / learnerFromJSON', () => {
  it('rejects an unknown kind', () => {
    expect(() => createLearner('svm')).toThrow(InvalidParameterError);
    expect(() => learnerFromJSON({ kind: 'svm', params: {}, state: {} })).toThrow(ModelFormatError);
    expect(() => learnerFromJSON({ kind: 'hgb', params: {}, state: null })).toThrow(ModelFormatError);
  });

  it('rejects training data that cannot be learned from', async () => {
    const X = matrixFromRows([[1], [2], [3]], ['a']);
    await expect(new LogisticRegressionModel().fit(X, Uint8Array.from([1, 1, 1]))).rejects.toThrow(TrainingDataError);
    await expect(new HistGradientBoostingModel().fit(X, Uint8Array.from([0, 2, 1]))).rejects.toThrow(/labels must be 0 or 1/);
    await expect(new HistRandomForestModel().fit(X, Uint8Array.from([0, 1]))).rejects.toThrow(/y has 2 labels/);
  });
});

describe('logreg', () => {
  it('recovers known coefficients on simulated data', async () => {
    const truth = [0.8, -0.5, 0.25];
    const { X, y } = simulateLogistic(30_000, -1, truth, 11);
    const model = await new LogisticRegressionModel({ l2: 1e-8 }).fit(X, y);
    expect(model.converged).toBe(true);
    const c = model.coefficients();
    truth.forEach((b, j) => expect(Math.abs(c.raw[j]! - b)).toBeLessThan(0.06));
    expect(Math.abs(c.rawIntercept - -1)).toBeLessThan(0.1);
  });

  it('shrinks coefficients as l2 grows and contributions add up to the log-odds', async () => {
    const { X, y } = simulateLogistic(2000, 0, [1, -1], 5);
    const loose = await new LogisticRegressionModel({ l2: 0.01 }).fit(X, y);
    const tight = await new LogisticRegressionModel({ l2: 1000 }).fit(X, y);
    expect(Math.abs(tight.coefficients().standardised[0]!)).toBeLessThan(Math.abs(loose.coefficients().standardised[0]!));
    const p = loose.predictProba(X);
    const c = loose.contributions(X, 3);
    const logOdds = c.bias + c.perFeature.reduce((a, b) => a + b, 0);
    expect(1 / (1 + Math.exp(-logOdds))).toBeCloseTo(p[3]!, 12);
  });

  it('imputes the training median and can learn from missingness', async () => {
    // y = 1 exactly when x0 is missing: only the indicator can see it.
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 400; i++) {
      const missing = i % 4 === 0;
      rows.push([missing ? NaN : (i % 7) - 3, (i % 5) - 2]);
      labels.push(missing ? 1 : 0);
    }
    const X = matrixFromRows(rows, ['hba1c', 'age']);
    const y = Uint8Array.from(labels);
    const withIndicator = await new LogisticRegressionModel({ missingIndicators: true }).fit(X, y);
    expect(auc(withIndicator.predictProba(X), y)).toBeGreaterThan(0.99);
    expect(withIndicator.coefficients().missingIndicators.hba1c).toBeGreaterThan(1);
    const without = await new LogisticRegressionModel().fit(X, y);
    expect(auc(without.predictProba(X), y)).toBeLessThan(0.8);
  });
});

describe('hgb', () => {
  it('learns which way missing values go', async () => {
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const missing = i % 5 === 0;
      rows.push([missing ? NaN : i % 50, (i * 7) % 13]);
      labels.push(missing || i % 50 > 40 ? 1 : 0);
    }
    const X = matrixFromRows(rows, ['a', 'b']);
    const y = Uint8Array.from(labels);
    const model = await new HistGradientBoostingModel({ maxIter: 30 }).fit(X, y, { seed: 1 });
    const p = model.predictProba(matrixFromRows([[NaN, 3], [10, 3], [45, 3]], ['a', 'b']));
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[1]).toBeLessThan(0.1);
    expect(p[2]).toBeGreaterThan(0.9);
  });

  it('stops early on the validation split above 10,000 rows and is reproducible for a seed', async () => {
    const { X, y } = simulateNonlinear(12_000, 4, 3);
    const a = await new HistGradientBoostingModel({ maxIter: 300, learningRate: 0.3 }).fit(X, y, { seed: 5 });
    expect(a.validationLoss.length).toBeGreaterThan(1);
    expect(a.nIter).toBeLessThan(300);
    const b = await new HistGradientBoostingModel({ maxIter: 300, learningRate: 0.3 }).fit(X, y, { seed: 5 });
    expect(Array.from(b.predictProba(X))).toEqual(Array.from(a.predictProba(X)));
  });

  it('explains a row: bias plus contributions equal the log-odds; the signal feature leads', async () => {
    const { X, y } = simulateNonlinear(3000, 6, 8);
    const model = await new HistGradientBoostingModel().fit(X, y, { seed: 2 });
    const raw = model.decisionFunction(X);
    const c = model.contributions(X, 10);
    expect(c.bias + c.perFeature.reduce((s, v) => s + v, 0)).toBeCloseTo(raw[10]!, 10);
    const imp = model.featureImportance();
    // x5 carries no signal.
    expect(imp[5]!).toBeLessThan(Math.min(imp[0]!, imp[1]!));
  });
});

describe('forest', () => {
  it('predicts leaf class frequencies, not vote shares', async () => {
    // One feature, no split possible below minSamplesLeaf: every tree is one leaf at its in-bag rate.
    const X = matrixFromRows(Array.from({ length: 10 }, () => [1]), ['a']);
    const y = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    const model = await new HistRandomForestModel({ nEstimators: 1, bootstrap: false }).fit(X, y);
    expect(model.predictProba(X)[0]).toBeCloseTo(0.3, 12);
  });

  it('grows the same forest in one thread or split with a worker thread', async () => {
    const { X, y } = simulateNonlinear(2000, 5, 12, 0.1);
    const alone = await new HistRandomForestModel({ nEstimators: 9 }).fit(X, y, { seed: 3, threads: 1 });
    const progress: number[] = [];
    const shared = await new HistRandomForestModel({ nEstimators: 9 }).fit(X, y, { seed: 3, threads: 2, onProgress: (f) => progress.push(f) });
    expect(JSON.stringify(shared.toJSON())).toBe(JSON.stringify(alone.toJSON()));
    expect(progress).toHaveLength(9);
    expect(progress.at(-1)).toBe(1);
    const otherSeed = await new HistRandomForestModel({ nEstimators: 9 }).fit(X, y, { seed: 4, threads: 2 });
    expect(JSON.stringify(otherSeed.toJSON())).not.toBe(JSON.stringify(alone.toJSON()));
  });

  it('contributions add up to the probability', async () => {
    const { X, y } = simulateNonlinear(1500, 5, 4, 0.1);
    const model = await new HistRandomForestModel({ nEstimators: 20 }).fit(X, y, { seed: 1 });
    const c = model.contributions(X, 0);
    expect(c.bias + c.perFeature.reduce((s, v) => s + v, 0)).toBeCloseTo(model.predictProba(X)[0]!, 12);
  });
});

describe('nn', () => {
  it('trains on WebAssembly where native TensorFlow is not installed, records it, and is reproducible for a seed', async () => {
    const nativeInstalled = await import(['@tensorflow', 'tfjs-node'].join('/')).then(() => true, () => false);
    const { X, y } = simulateNonlinear(600, 3, 6);
    const a = await new NeuralNetModel({ maxEpochs: 5 }).fit(X, y, { seed: 3 });
    expect(a.backend).toBe(nativeInstalled ? 'tensorflow' : 'wasm');
    expect((a.toJSON().state as { backend?: string }).backend).toBe(a.backend);
    const b = await new NeuralNetModel({ maxEpochs: 5 }).fit(X, y, { seed: 3 });
    expect(Array.from(b.predictProba(X))).toEqual(Array.from(a.predictProba(X)));
    const c = await new NeuralNetModel({ maxEpochs: 5 }).fit(X, y, { seed: 4 });
    expect(Array.from(c.predictProba(X))).not.toEqual(Array.from(a.predictProba(X)));
  });

  it('reads a model saved before the backend was recorded as trained on cpu', () => {
    const saved = JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8')) as { model: SerializedModel };
    expect((saved.model.state as { backend?: string }).backend).toBeUndefined();
    expect((learnerFromJSON(saved.model) as NeuralNetModel).backend).toBe('cpu');
  });

  it('disposes every tensor it creates', async () => {
    const { tf } = await loadTensorflow();
    const { X, y } = simulateNonlinear(300, 3, 6);
    await createLearner('nn', { maxEpochs: 2 }).fit(X, y, { seed: 1 });
    const before = tf.memory().numTensors;
    await createLearner('nn', { maxEpochs: 3 }).fit(X, y, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('binning', () => {
  it('puts each distinct value in its own bin and missing in bin 255', () => {
    const X: FeatureMatrix = matrixFromRows([[1], [2], [2], [5], [NaN]], ['a']);
    const mapper = fitBinMapper(X, 255);
    expect(Array.from(mapper.edges[0]!)).toEqual([1.5, 3.5]);
    expect([1, 2, 5, 100, -3].map((v) => binValue(mapper.edges[0]!, v))).toEqual([0, 1, 2, 2, 0]);
    expect(binValue(mapper.edges[0]!, NaN)).toBe(MISSING_BIN);
  });

  it('caps the number of bins for a continuous feature', () => {
    const X = simulateNonlinear(5000, 1, 1).X;
    const mapper = fitBinMapper(X, 16);
    expect(mapper.edges[0]!.length).toBeLessThanOrEqual(15);
    expect(mapper.edges[0]!.length).toBeGreaterThan(10);
  });
});
