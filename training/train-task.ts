/**
 * One training run for a served task: build the table from the store with the serving feature
 * definitions, choose and calibrate a learner by cross-validation, evaluate once on a held-out
 * split grouped by member, compare with the current champion on the same rows, write a new
 * artifact version with its report, and register it (champion if there is none, else challenger).
 */
import path from 'node:path';
import { defaultPolicy, type Policy } from '../src/config/policy.ts';
import { featureSchemaHash } from '../src/features/definitions.ts';
import { featureSetFor, type TaskName } from '../src/features/tasks.ts';
import { libraryVersions, gitCommit, loadArtifact, nextVersion, tableFingerprint, writeArtifact, type ModelManifest } from '../src/models/artifact.ts';
import { aucScore, brierScore } from '../src/models/evaluation/metrics.ts';
import { groupTrainTestSplit, takeEntries, takeRows } from '../src/models/evaluation/splits.ts';
import type { LearnerKind } from '../src/models/learners/index.ts';
import { listVersions, setAlias } from '../src/models/registry.ts';
import type { Database } from '../src/store/database.ts';
import { candidatesFor } from './candidates.ts';
import { selectAndEvaluate, type SelectionResult } from './select.ts';
import { buildSyntheticTable, readTruth, type SyntheticTable } from './synthetic.ts';

export interface TrainTaskOptions {
  db: Database;
  task: TaskName;
  learners: LearnerKind[];
  seed: number;
  modelsDir: string;
  /** The generator's truth/outcomes.csv, for the ceiling AUC. */
  truthFile?: string;
  folds?: number;
  policy?: Policy;
  actor?: string;
  onProgress?: (stage: string, fraction: number) => void;
  /** Renders the HTML report written beside the artifact. */
  renderReport?: (input: TrainingRunSummary) => string;
}

export interface ChampionComparison {
  version: number;
  auc: number;
  brier: number;
  testProbabilities: Float64Array;
}

export interface TrainingRunSummary {
  manifest: Omit<ModelManifest, 'checksum'>;
  selection: SelectionResult;
  table: SyntheticTable;
  testRows: Uint32Array;
  testLabels: Uint8Array;
  featureImportance: Float64Array;
  champion: ChampionComparison | null;
}

export interface TrainTaskResult {
  dir: string;
  manifest: ModelManifest;
  summary: TrainingRunSummary;
  alias: 'champion' | 'challenger';
}

export async function trainTask(o: TrainTaskOptions): Promise<TrainTaskResult> {
  const policy = o.policy ?? defaultPolicy();
  const progress = o.onProgress ?? (() => {});
  const set = featureSetFor(o.task);
  const schemaHash = featureSchemaHash(set);
  progress('building table', 0);
  const truth = o.truthFile ? await readTruth(o.truthFile, o.task) : undefined;
  const table = await buildSyntheticTable(o.db, o.task, policy, { truth });
  if (table.y.length < 50) throw new Error(`${o.task}: only ${table.y.length} rows in the store; load a population first (stratum load)`);
  const split = groupTrainTestSplit(table.y, table.groups, 0.2, o.seed);
  const selection = await selectAndEvaluate({ ...table, name: o.task }, {
    candidates: candidatesFor(o.learners),
    testRows: split.test,
    folds: o.folds ?? 5,
    seed: o.seed,
    onProgress: (m, f) => progress(m, 0.1 + 0.8 * f),
  });
  const testLabels = takeEntries(table.y, split.test);

  // The current champion, scored on the same test rows, for the comparison in the report.
  let champion: ChampionComparison | null = null;
  const existing = await listVersions(o.db, o.task);
  const current = existing.find((v) => v.aliases.includes('champion'));
  if (current) {
    try {
      const { model } = await loadArtifact(current.path, schemaHash);
      const p = model.predictProba(takeRows(table.X, split.test));
      champion = { version: current.version, auc: aucScore(p, testLabels), brier: brierScore(p, testLabels), testProbabilities: p };
    } catch {
      champion = null; // a champion on another feature schema cannot be compared on these rows
    }
  }

  const version = await nextVersion(o.modelsDir, o.task);
  const manifest: Omit<ModelManifest, 'checksum'> = {
    id: `${o.task}-v${version}`,
    name: o.task,
    version,
    task: o.task,
    created: new Date().toISOString(),
    gitCommit: gitCommit(),
    libraries: await libraryVersions(),
    trainingData: {
      fingerprint: tableFingerprint(table.X.values, table.y, table.X.featureNames),
      rows: table.y.length,
      positives: table.y.reduce((s, v) => s + v, 0),
      description: `stored population, ${o.task} index events, test split grouped by member (20%, seed ${o.seed})`,
    },
    featureSchema: { task: set.task, version: set.version, hash: schemaHash, features: set.features.map((f) => ({ name: f.name, description: f.description })) },
    learner: selection.chosen.learner,
    params: selection.chosen.params,
    calibration: selection.calibration.method,
    metrics: {
      cv_auc: selection.chosen.cvAuc,
      test_auc: selection.test.auc.auc,
      test_auc_lower: selection.test.auc.lower,
      test_auc_upper: selection.test.auc.upper,
      test_brier: selection.test.brier,
      calibration_slope: selection.test.calibration.slope,
      calibration_intercept: selection.test.calibration.intercept,
      ceiling_auc: selection.ceilingAuc ?? null,
      fit_seconds: selection.fitSeconds,
    },
    seed: o.seed,
  };
  const summary: TrainingRunSummary = { manifest, selection, table, testRows: split.test, testLabels, featureImportance: selection.model.featureImportance(), champion };
  progress('writing artifact', 0.95);
  const written = await writeArtifact(o.modelsDir, manifest, selection.model.toJSON(), o.renderReport?.(summary));
  await o.db.query(
    `INSERT INTO model_version (name, version, task, path, checksum, manifest) VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (name, version) DO NOTHING`,
    [o.task, version, o.task, path.relative(process.cwd(), written.dir), written.manifest.checksum, JSON.stringify(written.manifest)],
  );
  const alias = current ? 'challenger' : 'champion';
  await setAlias(o.db, o.task, alias, version, o.actor ?? 'cli:train', `trained: test AUC ${selection.test.auc.auc.toFixed(3)}`);
  progress('done', 1);
  return { dir: written.dir, manifest: written.manifest, summary, alias };
}
