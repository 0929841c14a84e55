/**
 * `stratum evaluate --dataset NAME`: the training pipeline on a public dataset nobody here made.
 * Every learner is cross-validated on the training rows, the best is calibrated and scores the
 * dataset's published test rows once; figures compare side by side with the shared README's
 * scikit-learn bar.
 */
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.ts';
import { loadRealDataset, REAL_DATASETS, resolveSharedDataDir } from '../../datasets/index.ts';
import { aucScore, brierScore } from '../../models/evaluation/metrics.ts';
import { groupTrainTestSplit, takeEntries } from '../../models/evaluation/splits.ts';
import { LEARNER_KINDS, type LearnerKind } from '../../models/learners/index.ts';
import { candidatesFor } from '../../../training/candidates.ts';
import { selectAndEvaluate, type SelectionResult } from '../../../training/select.ts';
import { progressBar } from '../progress.ts';

/** ml-random-forest is kept for small tables only: it fits 20 trees on 3,000 rows in about two minutes here. */
export const MLRF_MAX_ROWS = 1000;

export interface EvaluateJson {
  dataset: string;
  label: string;
  train_rows: number;
  test_rows: number;
  chosen: LearnerFigures;
  learners: LearnerFigures[];
  skipped: { learner: string; reason: string }[];
  grouped_by_patient?: { learner: string; test_auc: number; test_brier: number; test_rows: number };
  /** Clinical reference scores on the same test rows (LACE for readmission, Framingham CHD points): AUC only, points are not probabilities. */
  references: ReferenceFigures[];
}

export interface ReferenceFigures {
  name: string;
  test_auc: number;
  test_auc_lower: number;
  test_auc_upper: number;
  citation: string;
  substitutions: string;
}

export interface LearnerFigures {
  learner: string;
  params: Record<string, unknown>;
  cv_auc: number;
  test_auc: number;
  test_brier: number;
  fit_seconds: number;
  rows_per_second: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export async function evaluateDataset(options: { dataset: string; dataDir: string; learners: LearnerKind[]; folds: number; seed: number; onProgress?: (m: string, f: number) => void }): Promise<EvaluateJson> {
  const data = loadRealDataset(options.dataset, options.dataDir);
  const trainRows = data.y.length - data.testRows.length;
  const skipped: EvaluateJson['skipped'] = [];
  const learners: LearnerKind[] = [];
  for (const learner of options.learners) {
    if (learner === 'mlrf' && trainRows > MLRF_MAX_ROWS) skipped.push({ learner, reason: `ml-random-forest is too slow above ${MLRF_MAX_ROWS} training rows (docs/decisions/0003-learners.md)` });
    else learners.push(learner);
  }
  const candidates = candidatesFor(learners);
  const selection = await selectAndEvaluate(data, { candidates, testRows: data.testRows, folds: options.folds, seed: options.seed, onProgress: options.onProgress });
  const figures = await perLearnerTestFigures(data, selection, options.seed);
  const out: EvaluateJson = {
    dataset: data.name,
    label: data.label,
    train_rows: selection.trainRows,
    test_rows: data.testRows.length,
    chosen: figures.find((f) => f.learner === selection.chosen.learner)!,
    learners: figures,
    skipped,
    references: selection.references.map((r) => ({
      name: r.name,
      test_auc: round(r.testAuc),
      test_auc_lower: round(r.testAucLower),
      test_auc_upper: round(r.testAucUpper),
      citation: r.citation,
      substitutions: r.substitutions,
    })),
  };
  if (new Set(data.groups).size < data.groups.length) {
    // UCI: a patient can sit on both sides of the published split; the honest deployment figure groups by patient.
    const split = groupTrainTestSplit(data.y, data.groups, 0.2, options.seed);
    const grouped = await selectAndEvaluate(
      { X: data.X, y: data.y, groups: data.groups },
      { candidates: [{ learner: selection.chosen.learner, params: selection.chosen.params }], testRows: split.test, folds: options.folds, seed: options.seed },
    );
    out.grouped_by_patient = { learner: selection.chosen.learner, test_auc: round(grouped.test.auc.auc), test_brier: round(grouped.test.brier), test_rows: split.test.length };
  }
  return out;
}

/**
 * The chosen model's test figures come from the selection (scored once). For the comparison
 * table, each other learner is also refitted on all training rows, calibrated on its own
 * out-of-fold predictions, and scored on the test rows; these do not influence the choice.
 */
async function perLearnerTestFigures(data: ReturnType<typeof loadRealDataset>, selection: SelectionResult, seed: number): Promise<LearnerFigures[]> {
  const out: LearnerFigures[] = [];
  // One row per learner: its best hyperparameters by cross-validated AUC.
  const bestPerLearner = new Map<string, SelectionResult['candidates'][number]>();
  for (const c of selection.candidates) if ((bestPerLearner.get(c.learner)?.cvAuc ?? -1) < c.cvAuc) bestPerLearner.set(c.learner, c);
  for (const c of bestPerLearner.values()) {
    let testAuc: number;
    let testBrier: number;
    let fitSeconds: number;
    if (c.learner === selection.chosen.learner) {
      testAuc = selection.test.auc.auc;
      testBrier = selection.test.brier;
      fitSeconds = selection.fitSeconds;
    } else {
      const r = await selectAndEvaluate(data, { candidates: [{ learner: c.learner, params: c.params }], testRows: data.testRows, folds: 2, seed });
      testAuc = aucScore(r.testProbabilities, takeEntries(data.y, data.testRows));
      testBrier = brierScore(r.testProbabilities, takeEntries(data.y, data.testRows));
      fitSeconds = r.fitSeconds;
    }
    out.push({
      learner: c.learner,
      params: c.params,
      cv_auc: round(c.cvAuc),
      test_auc: round(testAuc),
      test_brier: round(testBrier),
      fit_seconds: round(fitSeconds, 3),
      rows_per_second: Math.round(selection.trainRows / Math.max(fitSeconds, 1e-6)),
    });
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'Train every learner on a public dataset from the shared data folder, choose by cross-validation on its training rows,\n' +
        'and score the published test rows once with the chosen calibrated model. Figures compare with shared/data/README.md.',
    )
    .requiredOption('--dataset <name>', `one of: ${Object.keys(REAL_DATASETS).join(', ')}`)
    .option('--data-dir <dir>', 'shared data folder (default: STRATUM_SHARED_DATA or ../shared/data)')
    .option('--learners <list>', `comma-separated learners (${LEARNER_KINDS.join(', ')})`, 'logreg,hgb,forest,nn,mlrf')
    .option('--folds <k>', 'cross-validation folds', (v) => Number.parseInt(v, 10), 5)
    .option('--seed <n>', 'seed for folds and learners', (v) => Number.parseInt(v, 10), 42)
    .option('--json', 'print the result as JSON on stdout', false)
    .action(async (opts: { dataset: string; dataDir?: string; learners: string; folds: number; seed: number; json: boolean }) => {
      const dataDir = resolveSharedDataDir(opts.dataDir ?? loadEnv().STRATUM_SHARED_DATA);
      const learners = opts.learners.split(',').map((s) => s.trim()) as LearnerKind[];
      for (const l of learners) if (!LEARNER_KINDS.includes(l)) throw new Error(`--learners: unknown learner "${l}"; known: ${LEARNER_KINDS.join(', ')}`);
      const bar = progressBar(opts.dataset, 100, '%');
      // Libraries that print banners (tfjs) must not corrupt the JSON on stdout.
      const log = console.log;
      console.log = (...args: unknown[]) => console.error(...args);
      const started = performance.now();
      let result: EvaluateJson;
      try {
        result = await evaluateDataset({ dataset: opts.dataset, dataDir, learners, folds: opts.folds, seed: opts.seed, onProgress: (_m, f) => bar.update(Math.round(f * 100)) });
      } finally {
        console.log = log;
        bar.stop();
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else {
        console.log(`${result.dataset} (${result.label}): ${result.train_rows} training rows, ${result.test_rows} test rows, ${((performance.now() - started) / 1000).toFixed(1)} s`);
        console.log('learner   cv_auc  test_auc  test_brier  fit_s');
        for (const l of result.learners) console.log(`${l.learner.padEnd(8)} ${l.cv_auc.toFixed(3)}   ${l.test_auc.toFixed(3)}     ${l.test_brier.toFixed(4)}    ${l.fit_seconds.toFixed(2)}${l.learner === result.chosen.learner ? '  <- chosen' : ''}`);
        if (result.references.length > 0) console.log('reference scores (published points, same test rows; AUC only):');
        for (const r of result.references) console.log(`  ${r.name}: test_auc ${r.test_auc.toFixed(3)} (95% CI ${r.test_auc_lower.toFixed(3)}-${r.test_auc_upper.toFixed(3)}); ${r.citation}; ${r.substitutions}`);
        for (const s of result.skipped) console.log(`${s.learner}: skipped (${s.reason})`);
        if (result.grouped_by_patient) console.log(`grouped by patient: AUC ${result.grouped_by_patient.test_auc}, Brier ${result.grouped_by_patient.test_brier}`);
      }
    });
}
