/**
 * Training benchmarks the issue names, on real and default data:
 * - fit time on the 81,412 UCI diabetes-130 training rows (target < 30 s; scikit-learn's
 *   HistGradientBoosting 2.0 s, LogisticRegression 7.1 s on the same split, shared/data/README.md);
 * - scoring throughput of the tree model on prepared UCI feature rows, one core (target >= 50,000 rows/s);
 * - fitting every served model, and every learner the issue names, on the default population
 *   (target < 60 s for all models).
 * `quick` skips the default-population part and uses the UCI table as is (it is small enough).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultPolicy } from '../src/config/policy.ts';
import { loadRealDataset, resolveSharedDataDir } from '../src/datasets/index.ts';
import { TASKS } from '../src/features/tasks.ts';
import { loadPopulation } from '../src/ingest/loader.ts';
import { takeEntries, takeRows } from '../src/models/evaluation/splits.ts';
import { createLearner } from '../src/models/learners/index.ts';
import { openDatabase } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import { loadEnv } from '../src/config/env.ts';
import { buildSyntheticTable } from '../training/synthetic.ts';
import type { BenchResult, BenchRun } from './types.ts';

function trainRows(n: number, test: Uint32Array): Uint32Array {
  const isTest = new Uint8Array(n);
  for (const r of test) isTest[r] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!isTest[i]) out.push(i);
  return Uint32Array.from(out);
}

export const run: BenchRun = async ({ quick }) => {
  const results: BenchResult[] = [];
  const dataDir = resolveSharedDataDir(loadEnv().STRATUM_SHARED_DATA);
  if (existsSync(dataDir)) {
    const uci = loadRealDataset('uci-readmission', dataDir);
    const train = trainRows(uci.y.length, uci.testRows);
    const X = takeRows(uci.X, train);
    const y = takeEntries(uci.y, train);
    for (const [kind, params, baseline] of [
      ['hgb', { learningRate: 0.05, maxLeafNodes: 15, minSamplesLeaf: 40 }, 2.0],
      ['logreg', { l2: 10 }, 7.1],
    ] as const) {
      const t0 = performance.now();
      const model = await createLearner(kind, params).fit(X, y, { seed: 42 });
      const seconds = (performance.now() - t0) / 1000;
      results.push({ name: `${kind} fit on ${train.length.toLocaleString('en-US')} UCI training rows`, value: seconds, unit: 's', target: 30, higherIsBetter: false, baseline: { label: 'scikit-learn', value: baseline } });
      if (kind === 'hgb') {
        const Xtest = takeRows(uci.X, uci.testRows);
        model.predictProba(Xtest); // warm-up
        const reps = 5;
        const t1 = performance.now();
        for (let i = 0; i < reps; i++) model.predictProba(Xtest);
        const rowsPerSecond = (reps * Xtest.rows) / ((performance.now() - t1) / 1000);
        results.push({ name: 'tree model scoring on prepared UCI rows, one core', value: rowsPerSecond, unit: 'rows/s', target: 50_000, higherIsBetter: true });
      }
    }
  } else results.push({ name: 'UCI benchmarks skipped: shared data folder not found', value: 0, unit: '', higherIsBetter: true, note: dataDir });

  if (!quick) {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratum-bench-training-'));
    try {
      execFileSync(process.execPath, ['src/cli/bin.mjs', 'generate', '--members', '50000', '--seed', '42', '--out', dir], { stdio: 'ignore' });
      const db = await openDatabase({});
      await migrate(db);
      await loadPopulation(db, { from: dir });
      // Seconds per learner kind, summed over the four tasks.
      const seconds: Record<'hgb' | 'logreg' | 'forest' | 'nn', number> = { hgb: 0, logreg: 0, forest: 0, nn: 0 };
      for (const task of TASKS) {
        const table = await buildSyntheticTable(db, task, defaultPolicy());
        for (const kind of ['hgb', 'logreg', 'forest', 'nn'] as const) {
          const t0 = performance.now();
          await createLearner(kind, {}).fit(table.X, table.y, { seed: 42 });
          seconds[kind] += (performance.now() - t0) / 1000;
        }
      }
      await db.close();
      const note = 'tables built from the store beforehand, not timed';
      results.push({ name: 'fit of every served model (hgb + logreg, 4 tasks) on the 50,000-member default population', value: seconds.hgb + seconds.logreg, unit: 's', target: 60, higherIsBetter: false, note });
      results.push({
        name: 'fit of every learner (hgb, histogram forest, logreg, tfjs MLP; 4 tasks) on the default population',
        value: seconds.hgb + seconds.logreg + seconds.forest + seconds.nn,
        unit: 's',
        target: 60,
        higherIsBetter: false,
        note: `${note}; forest ${seconds.forest.toFixed(1)} s, nn ${seconds.nn.toFixed(1)} s`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
};
