/**
 * `stratum train readmission|onset`: refit the served models from the stored population, with a
 * progress bar, an HTML report beside each new artifact, and registration (champion when there
 * is none, otherwise challenger for a person to promote).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { TASKS, type TaskName } from '../../features/tasks.ts';
import type { LearnerKind } from '../../models/learners/index.ts';
import { trainRiskAdjustment } from '../../../training/risk-adjustment/train.ts';
import { renderRunReport } from '../../../training/run-report.ts';
import { trainTask, type TrainTaskResult } from '../../../training/train-task.ts';
import { openDatabase } from '../../store/database.ts';
import { migrate } from '../../store/migrate.ts';
import { openMigratedStore, runLoad } from './db.ts';
import { progressBar } from '../progress.ts';

const LEARNER_GROUPS: Record<string, LearnerKind[]> = {
  tree: ['hgb', 'forest'],
  nn: ['nn'],
  logreg: ['logreg'],
  /** What the committed default models choose between: quick enough to reproduce in minutes. */
  default: ['logreg', 'hgb'],
  all: ['logreg', 'hgb', 'forest', 'nn'],
};

export const MODELS_DIR = 'models';

export function printRun(r: TrainTaskResult): void {
  const m = r.manifest.metrics;
  const ceiling = m.ceiling_auc == null ? '' : `; ceiling ${m.ceiling_auc.toFixed(3)} (gap ${(m.ceiling_auc - m.test_auc!).toFixed(3)})`;
  console.log(
    `${r.manifest.name} v${r.manifest.version} (${r.alias}): ${r.manifest.learner}, calibration ${r.manifest.calibration}; ` +
      `test AUC ${m.test_auc!.toFixed(3)} [${m.test_auc_lower!.toFixed(3)}, ${m.test_auc_upper!.toFixed(3)}], Brier ${m.test_brier!.toFixed(4)}${ceiling}`,
  );
  console.log(`  artifact ${path.relative(process.cwd(), r.dir)}${existsSync(path.join(r.dir, 'report.html')) ? `, report ${path.relative(process.cwd(), path.join(r.dir, 'report.html'))}` : ''}`);
}

export async function trainTasks(tasks: TaskName[], opts: { learner: string; seed: number; truth?: string; folds: number }, renderReport?: Parameters<typeof trainTask>[0]['renderReport']): Promise<TrainTaskResult[]> {
  const learners = LEARNER_GROUPS[opts.learner];
  if (!learners) throw new Error(`--learner must be one of ${Object.keys(LEARNER_GROUPS).join(', ')}`);
  const db = await openMigratedStore();
  const results: TrainTaskResult[] = [];
  try {
    for (const task of tasks) {
      const bar = progressBar(task, 100, '%');
      try {
        results.push(
          await trainTask({ db, task, learners, seed: opts.seed, modelsDir: MODELS_DIR, truthFile: opts.truth, folds: opts.folds, onProgress: (_s, f) => bar.update(Math.round(f * 100)), renderReport }),
        );
      } finally {
        bar.stop();
      }
      printRun(results[results.length - 1]!);
    }
  } finally {
    await db.close();
  }
  return results;
}

/**
 * The committed default models, reproducibly: generate the default population (seed 42), load it
 * into a throw-away embedded store, train every task and pin each new version as the champion
 * the service starts with (`models/<task>/champion`).
 */
export async function trainDefaults(opts: { learner: string; seed: number; folds: number; members: number; population: string }): Promise<TrainTaskResult[]> {
  const { DEFAULT_POPULATION } = await import('../../service/server.ts');
  if (!existsSync(path.join(opts.population, 'member.csv'))) {
    console.error(`generating ${opts.members} members (seed ${DEFAULT_POPULATION.seed}) into ${opts.population}`);
    execFileSync(process.execPath, [path.resolve('src/cli/bin.mjs'), 'generate', '--members', String(opts.members), '--seed', String(DEFAULT_POPULATION.seed), '--defect-rate', String(DEFAULT_POPULATION.defectRate), '--out', opts.population], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const db = await openDatabase({});
  await migrate(db);
  const learners = LEARNER_GROUPS[opts.learner];
  if (!learners) throw new Error(`--learner must be one of ${Object.keys(LEARNER_GROUPS).join(', ')}`);
  const results: TrainTaskResult[] = [];
  try {
    console.error(`loading ${opts.population} into a throw-away embedded store`);
    await runLoad(db, opts.population);
    for (const task of TASKS) {
      const bar = progressBar(task, 100, '%');
      try {
        results.push(
          await trainTask({ db, task, learners, seed: opts.seed, modelsDir: MODELS_DIR, truthFile: path.join(opts.population, 'truth', 'outcomes.csv'), folds: opts.folds, onProgress: (_s, f) => bar.update(Math.round(f * 100)), renderReport: renderRunReport, actor: 'cli:train-defaults' }),
        );
      } finally {
        bar.stop();
      }
      const r = results[results.length - 1]!;
      await writeFile(path.join(MODELS_DIR, task, 'champion'), `${r.manifest.version}\n`);
      printRun(r);
    }
  } finally {
    await db.close();
  }
  // The bureau's capitation risk model, from the same population: fit year 2024 -> 2025 cost.
  const ra = await trainRiskAdjustment({ from: opts.population, fitYear: 2024, out: path.join(MODELS_DIR, 'risk-adjustment') });
  await writeFile(path.join(MODELS_DIR, 'risk-adjustment', 'champion'), `${ra.manifest.version}\n`);
  console.log(`risk-adjustment v${ra.manifest.version}: ${path.relative(process.cwd(), ra.dir)}`);
  return results;
}

export function register(program: Command): void {
  const train = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('Fit models and write versioned artifacts to models/');
  const common = (c: Command, learnerDefault = 'all') =>
    c
      .option('--learner <group>', 'tree (gradient boosting + forest), nn, logreg, default (logreg + gradient boosting), or all; the best by cross-validation is kept', learnerDefault)
      .option('--seed <n>', 'seed for the split, folds and learners', (v) => Number.parseInt(v, 10), 42)
      .option('--folds <k>', 'cross-validation folds', (v) => Number.parseInt(v, 10), 5)
      .option('--truth <file>', "the generator's truth/outcomes.csv, to report the true-probability ceiling");
  common(
    train
      .command('readmission')
      .description('30-day unplanned readmission, one row per inpatient discharge, from the stored population (STRATUM_DATA_DIR or DATABASE_URL)'),
  ).action(async (opts: { learner: string; seed: number; folds: number; truth?: string }) => {
    await trainTasks(['readmission'], opts, renderRunReport);
  });
  common(
    train
      .command('defaults')
      .description('Reproduce the committed default models: generate the default population, load it into a throw-away store, train every task and the bureau risk-adjustment model, pin the champions')
      .option('--members <n>', 'population size', (v) => Number.parseInt(v, 10), 50_000)
      .option('--population <dir>', 'where the default population is (generated if missing; the one npm start seeds from)', 'var/population'),
    'default',
  ).action(async (opts: { learner: string; seed: number; folds: number; members: number; population: string }) => {
    await trainDefaults(opts);
  });
  common(
    train
      .command('onset')
      .description('Onset of hypertension, diabetes or CHD within 3 years among members free of it on 2023-01-01')
      .option('--condition <name>', 'hypertension, diabetes, chd or all', 'all'),
  ).action(async (opts: { learner: string; seed: number; folds: number; truth?: string; condition: string }) => {
    const tasks = (opts.condition === 'all' ? TASKS.filter((t) => t.startsWith('onset-')) : [`onset-${opts.condition}`]) as TaskName[];
    for (const t of tasks) if (!TASKS.includes(t)) throw new Error(`--condition must be hypertension, diabetes, chd or all`);
    await trainTasks(tasks, opts, renderRunReport);
  });
}

