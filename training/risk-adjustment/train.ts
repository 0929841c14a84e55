/**
 * `stratum train risk-adjustment` without the terminal: read the population, build the fit year's
 * rows, fit, check the following year out of time when its costs are there, write the version.
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { compileRiskModel } from '../../src/riskadjust/compile.ts';
import { bureauModelTables, parseBureauDefinition } from '../../src/riskadjust/fit/bureau-definition.ts';
import { fitRiskModel, type FittedRiskModel } from '../../src/riskadjust/fit/fit.ts';
import { evaluateModel, type ModelEvaluation } from '../../src/riskadjust/fit/predictive-ratios.ts';
import { RiskModelFitError } from '../../src/riskadjust/errors.ts';
import { writeRiskModelVersion, type RiskModelManifest } from '../../src/riskadjust/model-version.ts';
import { fingerprintPopulation, memberYears, readPopulation } from './population.ts';

/** Groups (institutions) smaller than this are left out of the per-institution ratios (issue 5). */
export const MIN_INSTITUTION_MEMBERS = 1000;

export interface TrainOptions {
  /** Folder with member.csv, condition.csv, claim_cost.csv, signup.csv. */
  readonly from: string;
  /** Diagnoses and demographics of this year predict the cost of the next. */
  readonly fitYear: number;
  /** Versions folder (default models/risk-adjustment). */
  readonly out: string;
  readonly version?: number;
  /** Categories file (default <out>/categories-v1.json). */
  readonly categoriesFile?: string;
  readonly onStage?: (stage: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface TrainResult {
  readonly dir: string;
  readonly manifest: RiskModelManifest;
  readonly fitted: FittedRiskModel;
  /** Fitted on fitYear -> fitYear + 1, scored on fitYear + 1 -> fitYear + 2; absent without those costs. */
  readonly outOfTime?: ModelEvaluation;
}

export async function trainRiskAdjustment(options: TrainOptions): Promise<TrainResult> {
  const categoriesFile = options.categoriesFile ?? resolve(options.out, 'categories-v1.json');
  const definition = parseBureauDefinition(JSON.parse(await readFile(categoriesFile, 'utf8')));
  options.onStage?.('fingerprinting input');
  const trainingData = await fingerprintPopulation(options.from);
  const population = await readPopulation(options.from, (file) => options.onStage?.(`reading ${file}`));
  const rows = memberYears(population, options.fitYear);
  if (rows.length === 0) throw new RiskModelFitError(`no member is enrolled in ${options.fitYear} and ${options.fitYear + 1} in ${options.from}`);
  options.onStage?.(`fitting on ${rows.length} member-years`);
  const fitted = fitRiskModel(bureauModelTables(definition, {}), rows, { ...(options.onProgress ? { onProgress: options.onProgress } : {}), progressEvery: 2000, minGroupMembers: MIN_INSTITUTION_MEMBERS });

  // Out-of-time: only when some claims of the year after next exist.
  let hasNextCosts = false;
  for (const byYear of population.costs.values()) if (byYear.has(options.fitYear + 2)) (hasNextCosts = true);
  const outOfTime = hasNextCosts ? evaluateModel(compileRiskModel(fitted.tables), memberYears(population, options.fitYear + 1), fitted.costPerScore, MIN_INSTITUTION_MEMBERS) : undefined;
  const { dir, manifest } = await writeRiskModelVersion({
    root: options.out,
    ...(options.version !== undefined ? { version: options.version } : {}),
    fitted,
    fitYear: options.fitYear,
    trainingData: { source: options.from, ...trainingData },
    categoriesFile: relative(resolve(options.out), resolve(categoriesFile)) || categoriesFile,
    ...(outOfTime ? { outOfTime } : {}),
  });
  return { dir, manifest, fitted, ...(outOfTime ? { outOfTime } : {}) };
}
