/**
 * Model artifacts: `models/<name>/<version>/` holds `model.json` (the fitted, calibrated model),
 * `manifest.json` (id, created, git commit, library versions, training-data fingerprint, feature
 * schema, metrics, checksum of model.json) and the run's `report.html`. Versions are integers
 * that are never overwritten.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CalibratedModel } from './calibration/calibrated-model.ts';
import { learnerFromJSON } from './learners/index.ts';
import type { SerializedModel } from './risk-model.ts';

export interface FeatureSchema {
  task: string;
  version: string;
  hash: string;
  features: { name: string; description: string }[];
}

export interface ModelManifest {
  id: string;
  name: string;
  version: number;
  task: string;
  created: string;
  gitCommit: string | null;
  libraries: Record<string, string>;
  trainingData: { fingerprint: string; rows: number; positives: number; description: string };
  featureSchema: FeatureSchema;
  learner: string;
  params: Record<string, unknown>;
  calibration: string;
  metrics: Record<string, number | null>;
  /** sha256 of model.json: serving refuses an artifact whose bytes changed. */
  checksum: string;
  seed: number;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Fingerprint of a training table: its shape, feature names and every value and label. */
export function tableFingerprint(values: Float64Array, labels: Uint8Array, featureNames: readonly string[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(featureNames));
  h.update(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  h.update(labels);
  return h.digest('hex');
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export async function libraryVersions(): Promise<Record<string, string>> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const versions: Record<string, string> = { node: process.version, stratum: pkg.version };
  for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'ml-random-forest']) versions[name] = pkg.dependencies[name] ?? '';
  return versions;
}

/** The next free integer version under `models/<name>/`. */
export async function nextVersion(modelsDir: string, name: string): Promise<number> {
  const entries = await readdir(path.join(modelsDir, name)).catch(() => [] as string[]);
  const versions = entries.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return versions.length ? Math.max(...versions) + 1 : 1;
}

/** Write a new version; refuses to overwrite an existing one. Returns its folder. */
export async function writeArtifact(modelsDir: string, manifest: Omit<ModelManifest, 'checksum'>, model: SerializedModel, reportHtml?: string): Promise<{ dir: string; manifest: ModelManifest }> {
  const dir = path.join(modelsDir, manifest.name, String(manifest.version));
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir); // throws EEXIST: a version is never overwritten
  const modelJson = JSON.stringify(model);
  const full: ModelManifest = { ...manifest, checksum: sha256(modelJson) };
  await writeFile(path.join(dir, 'model.json'), modelJson);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(full, null, 2) + '\n');
  if (reportHtml) await writeFile(path.join(dir, 'report.html'), reportHtml);
  return { dir, manifest: full };
}

/** An artifact that failed verification: serving must not use it. */
export class ArtifactError extends Error {
  constructor(readonly code: 'ARTIFACT_MISSING' | 'ARTIFACT_CHECKSUM_MISMATCH' | 'ARTIFACT_SCHEMA_MISMATCH', message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}

/**
 * Load and verify an artifact: the model bytes must match the manifest's checksum, and the
 * feature schema must be the one this code computes (no training/serving skew).
 */
export async function loadArtifact(dir: string, expectedSchemaHash: string): Promise<{ manifest: ModelManifest; model: CalibratedModel }> {
  let manifestText: string;
  let modelText: string;
  try {
    manifestText = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    modelText = await readFile(path.join(dir, 'model.json'), 'utf8');
  } catch {
    throw new ArtifactError('ARTIFACT_MISSING', `no model artifact at ${dir}`);
  }
  const manifest = JSON.parse(manifestText) as ModelManifest;
  if (sha256(modelText) !== manifest.checksum)
    throw new ArtifactError('ARTIFACT_CHECKSUM_MISMATCH', `${manifest.name} v${manifest.version}: model.json does not match the checksum in its manifest`);
  if (manifest.featureSchema.hash !== expectedSchemaHash)
    throw new ArtifactError(
      'ARTIFACT_SCHEMA_MISMATCH',
      `${manifest.name} v${manifest.version}: trained on feature schema ${manifest.featureSchema.hash}, this code computes ${expectedSchemaHash}`,
    );
  const json = JSON.parse(modelText) as SerializedModel;
  return { manifest, model: CalibratedModel.fromJSON(json, learnerFromJSON) };
}
