/**
 * A training run end to end on a small generated population: table from the store, CV choice,
 * artifact with manifest and checksum, registry aliases, save-reload equality, and serving's
 * refusal of a tampered artifact or a different feature schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { featureSchemaHash } from '../../src/features/definitions.ts';
import { featureSetFor } from '../../src/features/tasks.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { ArtifactError, loadArtifact } from '../../src/models/artifact.ts';
import { takeRows } from '../../src/models/evaluation/splits.ts';
import { listVersions, rollbackAlias, setAlias } from '../../src/models/registry.ts';
import { renderRunReport } from '../../training/run-report.ts';
import { trainTask } from '../../training/train-task.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const population = mkdtempSync(path.join(tmpdir(), 'stratum-train-pop-'));
execFileSync(process.execPath, ['src/cli/bin.mjs', 'generate', '--members', '2500', '--seed', '11', '--out', population], { stdio: 'ignore' });

describeEachEngine('training run', (getDb) => {
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'stratum-models-'));
  beforeAll(async () => {
    await loadPopulation(getDb(), { from: population });
  }, 180_000);

  it('writes a verified artifact, registers it as champion, then a challenger', async () => {
    const db = getDb();
    const first = await trainTask({ db, task: 'readmission', learners: ['logreg'], seed: 3, modelsDir, truthFile: path.join(population, 'truth', 'outcomes.csv'), folds: 3, renderReport: renderRunReport });
    expect(first.alias).toBe('champion');
    expect(first.manifest).toMatchObject({ name: 'readmission', version: 1, learner: 'logreg', featureSchema: { hash: featureSchemaHash(featureSetFor('readmission')) } });
    expect(first.manifest.trainingData.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.manifest.metrics.test_auc).toBeGreaterThan(0.5);
    expect(first.manifest.metrics.ceiling_auc).toBeGreaterThan(0.5);
    // The LACE index is reported beside the learners as a clinical reference row.
    expect(first.summary.selection.references.map((r) => r.name)).toContain('lace');
    expect(readFileSync(path.join(first.dir, 'report.html'), 'utf8')).toContain('readmission');

    // Save-reload gives identical predictions.
    const { model } = await loadArtifact(first.dir, first.manifest.featureSchema.hash);
    const X = takeRows(first.summary.table.X, first.summary.testRows);
    expect(Array.from(model.predictProba(X))).toEqual(Array.from(first.summary.selection.model.predictProba(X)));

    const second = await trainTask({ db, task: 'readmission', learners: ['logreg'], seed: 4, modelsDir, folds: 3, renderReport: renderRunReport });
    expect(readFileSync(path.join(second.dir, 'report.html'), 'utf8')).toMatch(/champion/i);
    expect(second.alias).toBe('challenger');
    expect(second.summary.champion?.version).toBe(1);
    const versions = await listVersions(db, 'readmission');
    expect(versions.map((v) => [v.version, v.aliases])).toEqual([
      [1, ['champion']],
      [2, ['challenger']],
    ]);
    await setAlias(db, 'readmission', 'champion', 2, 'test');
    expect(await rollbackAlias(db, 'readmission', 'champion', 'test')).toBe(1);
  }, 180_000);

  it('serving refuses an artifact whose bytes or feature schema do not match', async () => {
    const db = getDb();
    const run = await trainTask({ db, task: 'onset-diabetes', learners: ['logreg'], seed: 5, modelsDir, folds: 3 });
    await expect(loadArtifact(run.dir, 'another-schema')).rejects.toMatchObject({ code: 'ARTIFACT_SCHEMA_MISMATCH' });
    const file = path.join(run.dir, 'model.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"intercept":(-?[0-9.]+)/, '"intercept":0.123'));
    await expect(loadArtifact(run.dir, run.manifest.featureSchema.hash)).rejects.toBeInstanceOf(ArtifactError);
    await expect(loadArtifact(run.dir, run.manifest.featureSchema.hash)).rejects.toMatchObject({ code: 'ARTIFACT_CHECKSUM_MISMATCH' });
  }, 180_000);
});
