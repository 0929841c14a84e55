/**
 * Writes a fitted bureau risk model as a model version: `<root>/<version>/tables.json` (the
 * `RiskModelTables` the engine scores) and `<root>/<version>/manifest.json` (STYLE.md convention 8:
 * id, created time, git commit, library versions, training-data fingerprint, feature schema,
 * metrics, and the tables' checksum so a reader can refuse a tampered artifact). Versions are
 * integers that never change: writing over an existing version is refused. The lead's registry
 * calls `writeRiskModelVersion`; `readRiskModelVersion` is its counterpart.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FittedRiskModel } from './fit/fit.ts';
import type { ModelEvaluation } from './fit/predictive-ratios.ts';
import type { RiskModelTables } from './model-tables.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A model version cannot be written or read. */
export class ModelVersionError extends Error {
  constructor(
    readonly code: 'VERSION_EXISTS' | 'BAD_VERSION' | 'CHECKSUM_MISMATCH' | 'MISSING_ARTIFACT',
    message: string,
  ) {
    super(message);
    this.name = 'ModelVersionError';
  }
}

/** The manifest beside `tables.json`. */
export interface RiskModelManifest {
  readonly id: string;
  readonly name: 'risk-adjustment';
  readonly version: number;
  readonly created: string;
  /** `git rev-parse HEAD` of the working tree, null when git is unavailable. */
  readonly gitCommit: string | null;
  readonly libraries: Readonly<Record<string, string>>;
  readonly trainingData: {
    readonly source: string;
    readonly fingerprint: string;
    readonly files: Readonly<Record<string, string>>;
    readonly fitYear: number;
    readonly memberYears: number;
  };
  readonly featureSchema: {
    readonly input: readonly { readonly name: string; readonly type: string; readonly description: string }[];
    readonly segment: string;
    readonly terms: readonly string[];
    readonly categoriesFile: string;
  };
  /** CNY of annual cost per 1.0 of score in the fit year (the normaliser; mean score = 1.0). */
  readonly costPerScore: number;
  readonly metrics: ModelEvaluation & { readonly solverIterations: number; readonly outOfTime?: ModelEvaluation };
  /** SHA-256 of tables.json as written. */
  readonly tablesSha256: string;
}

export interface WriteModelVersionInput {
  /** Folder holding the versions, e.g. `models/risk-adjustment`. */
  readonly root: string;
  /** Integer version; default one more than the highest present. */
  readonly version?: number;
  readonly fitted: FittedRiskModel;
  readonly fitYear: number;
  readonly trainingData: { readonly source: string; readonly fingerprint: string; readonly files: Readonly<Record<string, string>> };
  readonly categoriesFile: string;
  readonly outOfTime?: ModelEvaluation;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** Version of an installed package (`node_modules/<name>`), or of the project itself for `.`. */
function packageVersion(name: string): string {
  const file = name === '.' ? join(PROJECT_ROOT, 'package.json') : join(PROJECT_ROOT, 'node_modules', name, 'package.json');
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The integer versions present under `root`, ascending. */
export async function listVersions(root: string): Promise<number[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && /^[1-9]\d*$/.test(e.name)).map((e) => Number(e.name)).sort((a, b) => a - b);
}

/**
 * Writes the version and returns its folder and manifest.
 * @throws ModelVersionError VERSION_EXISTS when the version folder already has a manifest,
 * BAD_VERSION for a non-positive or non-integer version.
 */
export async function writeRiskModelVersion(input: WriteModelVersionInput): Promise<{ dir: string; manifest: RiskModelManifest }> {
  const version = input.version ?? ((await listVersions(input.root)).at(-1) ?? 0) + 1;
  if (!Number.isInteger(version) || version < 1) throw new ModelVersionError('BAD_VERSION', `version must be a positive integer, got ${version}`);
  const dir = join(input.root, String(version));
  if (existsSync(join(dir, 'manifest.json'))) throw new ModelVersionError('VERSION_EXISTS', `model version ${version} already exists in ${input.root}; versions never change`);
  const tables: RiskModelTables = { ...input.fitted.tables, id: `bureau-risk-adjustment-v${version}` };
  const tablesText = JSON.stringify(tables, null, 1) + '\n';
  const segment = Object.keys(tables.segments)[0]!;
  const manifest: RiskModelManifest = {
    id: tables.id,
    name: 'risk-adjustment',
    version,
    created: (input.now ?? (() => new Date()))().toISOString(),
    gitCommit: gitCommit(),
    libraries: { node: process.version, stratum: packageVersion('.'), zod: packageVersion('zod') },
    trainingData: { ...input.trainingData, fitYear: input.fitYear, memberYears: input.fitted.evaluation.members },
    featureSchema: {
      input: [
        { name: 'age', type: 'integer', description: `age in whole years on 1 January of the year the diagnoses are from` },
        { name: 'sex', type: '"M" | "F"', description: 'sex' },
        { name: 'dx', type: 'string[]', description: 'ICD-10 codes active in that year (national edition or ICD-10-CM; dots and case ignored)' },
        { name: 'segment', type: `"${segment}"`, description: 'the one segment of the bureau model' },
      ],
      segment,
      terms: input.fitted.columns.map((c) => c.name),
      categoriesFile: input.categoriesFile,
    },
    costPerScore: input.fitted.costPerScore,
    metrics: { ...input.fitted.evaluation, solverIterations: input.fitted.solverIterations, ...(input.outOfTime ? { outOfTime: input.outOfTime } : {}) },
    tablesSha256: createHash('sha256').update(tablesText).digest('hex'),
  };
  await mkdir(dir, { recursive: true });
  // tables first, manifest last (renamed into place): a folder with a manifest is complete.
  await writeFile(join(dir, 'tables.json'), tablesText);
  await writeFile(join(dir, 'manifest.json.tmp'), JSON.stringify(manifest, null, 1) + '\n');
  await rename(join(dir, 'manifest.json.tmp'), join(dir, 'manifest.json'));
  return { dir, manifest };
}

/**
 * Reads a version back, checking the tables against the manifest's checksum.
 * @throws ModelVersionError MISSING_ARTIFACT or CHECKSUM_MISMATCH.
 */
export async function readRiskModelVersion(dir: string): Promise<{ tables: RiskModelTables; manifest: RiskModelManifest }> {
  if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'tables.json'))) throw new ModelVersionError('MISSING_ARTIFACT', `${dir} has no manifest.json and tables.json`);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as RiskModelManifest;
  const text = await readFile(join(dir, 'tables.json'), 'utf8');
  if (createHash('sha256').update(text).digest('hex') !== manifest.tablesSha256) throw new ModelVersionError('CHECKSUM_MISMATCH', `${dir}/tables.json does not match its manifest checksum`);
  return { tables: JSON.parse(text) as RiskModelTables, manifest };
}
