/**
 * Learner benchmark: fit time of every learner on a simulated 80,000 x 40 table (the size of the
 * UCI diabetes-130 training part), and hgb/forest scoring throughput on one core (target
 * >= 50,000 rows/s) at a realistic width: 100 trees over 50 features, scoring 20,354 rows (the
 * size of the UCI test part). ml-random-forest is timed on a much smaller table: at its measured
 * speed (shared/data/README.md) the full size would take hours. `quick` shrinks everything.
 */
import type { BenchResult, BenchRun } from './types.ts';
import { Rng } from '../src/lib/random.ts';
import type { FeatureMatrix } from '../src/models/risk-model.ts';
import { createLearner } from '../src/models/learners/index.ts';
import type { LearnerKind } from '../src/models/learners/index.ts';

function simulate(rows: number, cols: number, seed: number): { X: FeatureMatrix; y: Uint8Array } {
  const rng = new Rng(seed);
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = rng.bernoulli(0.03) ? NaN : rng.normal();
    const x = (j: number) => (Number.isNaN(values[i * cols + j]!) ? 0 : values[i * cols + j]!);
    const z = 1.2 * (x(0) > 0.5 ? 1 : 0) - 0.8 * x(1) * x(1) + x(2) * x(3) + 0.5 * x(4) - 1.5;
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X: { rows, cols, values, featureNames: Array.from({ length: cols }, (_, j) => `x${j}`) }, y };
}

export const run: BenchRun = async ({ quick }) => {
  const rows = quick ? 10_000 : 80_000;
  const cols = 40;
  const { X, y } = simulate(rows, cols, 1);
  const results: BenchResult[] = [];
  const plan: [LearnerKind, Record<string, unknown>, number][] = [
    ['logreg', {}, rows],
    // Early stopping off so the 100 iterations the target names are all run.
    ['hgb', { maxIter: 100, earlyStopping: false }, rows],
    ['forest', { nEstimators: 100 }, rows],
    ['nn', { maxEpochs: quick ? 5 : 20 }, rows],
    ['mlrf', { nEstimators: 10 }, quick ? 300 : 1000],
  ];
  for (const [kind, params, n] of plan) {
    const part = n === rows ? X : { ...X, rows: n, values: X.values.subarray(0, n * cols) };
    const model = createLearner(kind, params);
    const start = performance.now();
    await model.fit(part, y.subarray(0, n), { seed: 1 });
    const seconds = (performance.now() - start) / 1000;
    results.push({
      name: `${kind} fit, ${n.toLocaleString('en')} x ${cols}${kind === 'hgb' ? ', 100 iterations' : ''}`,
      value: seconds,
      unit: 's',
      higherIsBetter: false,
      ...(kind === 'hgb' && !quick ? { target: 30, baseline: { label: 'scikit-learn HGB on UCI 101k rows', value: 2.0 } } : {}),
      ...(kind === 'forest' && !quick ? { baseline: { label: 'scikit-learn RF(200) on UCI 101k rows', value: 20.5 } } : {}),
      ...(kind === 'mlrf' ? { note: 'ml-random-forest, 10 trees, small table only (about 470x slower than scikit-learn)' } : {}),
    });
  }
  results.push(...(await scoringThroughput(quick)));
  return results;
};

/** Rows per second of predictProba for 100-tree hgb and forest models on a 50-feature table. */
async function scoringThroughput(quick: boolean): Promise<BenchResult[]> {
  const cols = 50;
  const { X, y } = simulate(quick ? 5_000 : 20_000, cols, 3);
  const score = simulate(20_354, cols, 4).X;
  const results: BenchResult[] = [];
  const plan: [LearnerKind, Record<string, unknown>][] = [
    ['hgb', { maxIter: 100, earlyStopping: false }],
    ['forest', { nEstimators: 100 }],
  ];
  for (const [kind, params] of plan) {
    const model = await createLearner(kind, params).fit(X, y, { seed: 1 });
    model.predictProba(score); // warm-up (also builds the scoring layout once)
    // Median of repeated calls: the machine is shared, so one call's time is noisy.
    const seconds: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      model.predictProba(score);
      seconds.push((performance.now() - t0) / 1000);
    }
    seconds.sort((a, b) => a - b);
    results.push({
      name: `${kind} scoring throughput, 100 trees x ${cols} features, ${score.rows.toLocaleString('en')} rows, one core`,
      value: score.rows / seconds[2]!,
      unit: 'rows/s',
      target: 50_000,
      higherIsBetter: true,
      note: `fitted on ${X.rows.toLocaleString('en')} rows; median of 5 calls`,
    });
  }
  return results;
}
