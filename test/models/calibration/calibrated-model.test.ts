import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/random.ts';
import { brierScore } from '../../../src/models/evaluation/metrics.ts';
import { sigmoid } from '../../../src/models/evaluation/logistic-recalibration.ts';
import { CalibratedModel } from '../../../src/models/calibration/calibrated-model.ts';
import { NotFittedError, type FeatureMatrix, type RiskModel, type SerializedModel } from '../../../src/models/risk-model.ts';

/**
 * A stand-in learner for the wrapper's contract: it "learns" the mean of feature 0 and predicts
 * sigmoid(3 * (x0 - mean)), deliberately overconfident so calibration has something to fix.
 */
class OverconfidentScore implements RiskModel {
  readonly kind = 'overconfident';
  rowsSeen = 0;
  private center: number | null = null;
  get fitted(): boolean {
    return this.center !== null;
  }
  async fit(X: FeatureMatrix, y: Uint8Array): Promise<RiskModel> {
    let s = 0;
    for (let i = 0; i < X.rows; i++) s += X.values[i * X.cols]!;
    this.center = s / X.rows;
    this.rowsSeen = y.length;
    return this;
  }
  predictProba(X: FeatureMatrix): Float64Array {
    if (this.center === null) throw new NotFittedError(this.kind);
    const c = this.center;
    return Float64Array.from({ length: X.rows }, (_, i) => sigmoid(3 * (X.values[i * X.cols]! - c)));
  }
  featureImportance(): Float64Array {
    return Float64Array.of(1);
  }
  toJSON(): SerializedModel {
    return { kind: this.kind, params: {}, state: { center: this.center } };
  }
  static fromJSON(s: SerializedModel): OverconfidentScore {
    const m = new OverconfidentScore();
    m.center = (s.state as { center: number }).center;
    return m;
  }
}

function data(n: number, seed: number): { X: FeatureMatrix; y: Uint8Array } {
  const rng = new Rng(seed);
  const values = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = rng.normal(0, 1);
    y[i] = rng.bernoulli(sigmoid(-1.2 + 0.8 * values[i]!)) ? 1 : 0;
  }
  return { X: { rows: n, cols: 1, values, featureNames: ['x0'] }, y };
}

describe('CalibratedModel', () => {
  it('fits the base on the training part and serves calibrated probabilities that beat the raw ones', async () => {
    const train = data(4000, 1);
    const test = data(4000, 2);
    const base = new OverconfidentScore();
    const model = await new CalibratedModel(base, { method: 'platt', calibrationFraction: 0.25 }).fit(train.X, train.y, { seed: 3 });
    expect(base.rowsSeen).toBe(3000);
    expect(model.fitted).toBe(true);
    const raw = base.predictProba(test.X);
    const calibrated = model.predictProba(test.X);
    expect(brierScore(calibrated, test.y)).toBeLessThan(brierScore(raw, test.y) - 0.01);
  });

  it('with out-of-fold predictions fits the base on every row and the calibrator on those predictions', async () => {
    const train = data(2000, 4);
    const oof = await new OverconfidentScore().fit(train.X, train.y).then((m) => m.predictProba(train.X));
    const base = new OverconfidentScore();
    const model = await new CalibratedModel(base, { method: 'isotonic' }).fit(train.X, train.y, { outOfFoldPredictions: oof });
    expect(base.rowsSeen).toBe(2000);
    const out = model.predictProba(train.X);
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const train = data(1000, 5);
    const a = await new CalibratedModel(new OverconfidentScore(), { method: 'isotonic' }).fit(train.X, train.y, { seed: 9 });
    const b = await new CalibratedModel(new OverconfidentScore(), { method: 'isotonic' }).fit(train.X, train.y, { seed: 9 });
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('refuses to predict before fit with NotFittedError', () => {
    const model = new CalibratedModel(new OverconfidentScore());
    expect(() => model.predictProba(data(3, 1).X)).toThrow(NotFittedError);
    expect(() => model.toJSON()).toThrow(NotFittedError);
  });

  it('saves and reloads to identical predictions through a base restorer', async () => {
    const train = data(1500, 6);
    const model = await new CalibratedModel(new OverconfidentScore(), { method: 'isotonic' }).fit(train.X, train.y);
    const json = JSON.parse(JSON.stringify(model.toJSON())) as SerializedModel;
    const restored = CalibratedModel.fromJSON(json, (s) => OverconfidentScore.fromJSON(s));
    const probe = data(500, 7).X;
    expect(Array.from(restored.predictProba(probe))).toEqual(Array.from(model.predictProba(probe)));
    expect(restored.method).toBe('isotonic');
  });

  it('names a bad calibration fraction', () => {
    expect(() => new CalibratedModel(new OverconfidentScore(), { calibrationFraction: 1 })).toThrow(/calibrationFraction=1/);
  });
});
