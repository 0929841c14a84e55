/**
 * Learner choice and honest evaluation, the same for synthetic tasks and real datasets:
 * 1. every candidate learner is scored by k-fold cross-validation on the training rows only
 *    (grouped by member where a member has several rows);
 * 2. the best cross-validated AUC wins; its out-of-fold predictions fit the calibrator, and the
 *    learner is refitted on all training rows, so the served probability is the calibrated one;
 * 3. the test rows are scored once, by that chosen calibrated model.
 */
import { performance } from 'node:perf_hooks';
import { createCalibrator, type CalibrationMethod } from '../src/models/calibration/calibrator.ts';
import { CalibratedModel } from '../src/models/calibration/calibrated-model.ts';
import { aucScore, aucWithConfidence, brierScore, evaluateBinary, type BinaryEvaluation } from '../src/models/evaluation/metrics.ts';
import { groupKFold, stratifiedKFold, takeEntries, takeRows, type Split } from '../src/models/evaluation/splits.ts';
import { evaluateSubgroups, type SubgroupEvaluation, type SubgroupLimits } from '../src/models/evaluation/subgroups.ts';
import { createLearner, type LearnerKind } from '../src/models/learners/index.ts';
import { rankableScores, referenceScoresFor } from '../src/models/reference/index.ts';
import type { FeatureMatrix } from '../src/models/risk-model.ts';

export interface TrainingTable {
  X: FeatureMatrix;
  y: Uint8Array;
  /** Group of each row (member or patient id): folds never split a group. */
  groups?: readonly string[];
  /** Subgroup keys per row for fairness checks, e.g. { sex: [...], age_band: [...] }. */
  subgroups?: Record<string, readonly string[]>;
  /** The generator's true probability per row (synthetic data only): the AUC ceiling. */
  trueProbability?: Float64Array;
  /** Task or dataset name (`readmission`, `onset-chd`, `uci-readmission`, `framingham`): picks the clinical reference scores. */
  name?: string;
}

export interface Candidate {
  learner: LearnerKind;
  params?: Record<string, unknown>;
}

export interface SelectionOptions {
  candidates: Candidate[];
  /** Row indices of the test part (a dataset's published rows or a seeded split). */
  testRows: ArrayLike<number>;
  folds?: number;
  seed?: number;
  /** Calibration method; `auto` (default) picks Platt or isotonic by cross-validated Brier on the out-of-fold predictions. */
  calibration?: CalibrationMethod | 'auto';
  subgroupLimits?: SubgroupLimits;
  onProgress?: (message: string, fraction: number) => void;
}

export interface CandidateResult {
  learner: LearnerKind;
  params: Record<string, unknown>;
  cvAuc: number;
  /** Per-fold AUCs, to see the spread. */
  foldAucs: number[];
  cvBrier: number;
  cvSeconds: number;
}

export interface SelectionResult {
  chosen: CandidateResult;
  calibration: { method: CalibrationMethod; cvBrier: Partial<Record<CalibrationMethod, number>> };
  candidates: CandidateResult[];
  model: CalibratedModel;
  fitSeconds: number;
  trainRows: number;
  test: BinaryEvaluation;
  testProbabilities: Float64Array;
  subgroups: Record<string, SubgroupEvaluation>;
  /** AUC of the true probabilities on the test rows that have one (synthetic data). */
  ceilingAuc?: number;
  /**
   * Test rows without a true probability, left out of the ceiling: the generator writes truth only
   * for members it knows to be at risk, and an injected defect (a rejected diagnosis row) can make
   * the record look at risk when the generator knew better.
   */
  ceilingRowsWithoutTruth?: number;
  /** Test metrics of every candidate refitted on all training rows (for the comparison table; not used to choose). */
  candidateTest?: { learner: LearnerKind; auc: number; brier: number }[];
  /** Clinical reference scores (LACE, Framingham CHD points) scored on the same test rows; see src/models/reference. */
  references: ReferenceResult[];
}

/**
 * A clinical score's test discrimination. Only AUC (with its DeLong 95% interval) is reported:
 * points are a ranking, and a Brier score would measure whatever calibrator we fitted to them,
 * not the published score.
 */
export interface ReferenceResult {
  name: string;
  citation: string;
  substitutions: string;
  testAuc: number;
  testAucLower: number;
  testAucUpper: number;
  /** The points on the test rows (in `testRows` order), so the report can draw the score's ROC curve. */
  testScores: Float64Array;
}

/** The ceiling AUC over the test rows whose true probability is known. */
function ceilingOn(trueProbability: Float64Array, testRows: Uint32Array, ytest: Uint8Array): { ceilingAuc: number; ceilingRowsWithoutTruth: number } {
  const known = Uint32Array.from(Array.from(testRows.keys()).filter((i) => !Number.isNaN(trueProbability[testRows[i]!]!)));
  return {
    ceilingAuc: aucScore(takeEntries(trueProbability, Uint32Array.from(known, (i) => testRows[i]!)), takeEntries(ytest, known)),
    ceilingRowsWithoutTruth: testRows.length - known.length,
  };
}

function complement(n: number, rows: ArrayLike<number>): Uint32Array {
  const inTest = new Uint8Array(n);
  for (let i = 0; i < rows.length; i++) inTest[rows[i]!] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!inTest[i]) out.push(i);
  return Uint32Array.from(out);
}

/** Cross-validate one candidate; returns its out-of-fold predictions as well. */
async function crossValidate(c: Candidate, X: FeatureMatrix, y: Uint8Array, folds: Split[], seed: number): Promise<{ result: CandidateResult; oof: Float64Array }> {
  const started = performance.now();
  const oof = new Float64Array(y.length);
  const foldAucs: number[] = [];
  for (const [k, fold] of folds.entries()) {
    const model = await createLearner(c.learner, c.params ?? {}).fit(takeRows(X, fold.train), takeEntries(y, fold.train), { seed: seed + k });
    const p = model.predictProba(takeRows(X, fold.test));
    fold.test.forEach((row, i) => (oof[row] = p[i]!));
    foldAucs.push(aucScore(p, takeEntries(y, fold.test)));
  }
  return {
    result: {
      learner: c.learner,
      params: c.params ?? {},
      cvAuc: aucScore(oof, y),
      foldAucs,
      cvBrier: brierScore(oof, y),
      cvSeconds: (performance.now() - started) / 1000,
    },
    oof,
  };
}

/**
 * Isotonic regression needs many rows per step and overfits small tables; Platt's two
 * parameters do not. Which serves better is measured, not assumed: each method is fitted on
 * k-1 folds of the out-of-fold predictions and scored (Brier) on the held-out fold.
 */
export function chooseCalibration(oof: Float64Array, y: Uint8Array, requested: CalibrationMethod | 'auto', seed: number): SelectionResult['calibration'] {
  if (requested !== 'auto') return { method: requested, cvBrier: {} };
  const folds = stratifiedKFold(y, 5, seed + 1);
  const cvBrier: Partial<Record<CalibrationMethod, number>> = {};
  for (const method of ['none', 'platt', 'isotonic'] as const) {
    const calibrated = new Float64Array(y.length);
    for (const fold of folds) {
      const c = createCalibrator(method).fit(takeEntries(oof, fold.train), takeEntries(y, fold.train));
      const p = c.transform(takeEntries(oof, fold.test));
      fold.test.forEach((row, i) => (calibrated[row] = p[i]!));
    }
    cvBrier[method] = brierScore(calibrated, y);
  }
  // Ties go to the simpler map: none, then Platt, then isotonic.
  const method = (['none', 'platt', 'isotonic'] as const).reduce((a, b) => (cvBrier[b]! < cvBrier[a]! ? b : a));
  return { method, cvBrier };
}

export async function selectAndEvaluate(table: TrainingTable, options: SelectionOptions): Promise<SelectionResult> {
  const seed = options.seed ?? 42;
  const n = table.y.length;
  const trainRows = complement(n, options.testRows);
  const testRows = Uint32Array.from(options.testRows as ArrayLike<number>);
  const Xtrain = takeRows(table.X, trainRows);
  const ytrain = takeEntries(table.y, trainRows);
  const k = options.folds ?? 5;
  const folds = table.groups
    ? groupKFold(ytrain, Array.from(trainRows, (r) => table.groups![r]!), k, seed)
    : stratifiedKFold(ytrain, k, seed);

  const progress = options.onProgress ?? (() => {});
  const results: { result: CandidateResult; oof: Float64Array }[] = [];
  for (const [i, c] of options.candidates.entries()) {
    progress(`cross-validating ${c.learner}`, i / (options.candidates.length + 1));
    results.push(await crossValidate(c, Xtrain, ytrain, folds, seed));
  }
  const best = results.reduce((a, b) => (b.result.cvAuc > a.result.cvAuc ? b : a));

  progress(`fitting ${best.result.learner} on all ${trainRows.length} training rows`, options.candidates.length / (options.candidates.length + 1));
  const started = performance.now();
  const base = await createLearner(best.result.learner, best.result.params).fit(Xtrain, ytrain, { seed });
  const fitSeconds = (performance.now() - started) / 1000;
  const calibration = chooseCalibration(best.oof, ytrain, options.calibration ?? 'auto', seed);
  const calibrator = createCalibrator(calibration.method);
  calibrator.fit(best.oof, ytrain);
  const model = CalibratedModel.fromFitted(base, calibrator);

  // The test rows are scored once, by the chosen calibrated model.
  const Xtest = takeRows(table.X, testRows);
  const ytest = takeEntries(table.y, testRows);
  const testProbabilities = model.predictProba(Xtest);
  const subgroups: Record<string, SubgroupEvaluation> = {};
  for (const [name, keys] of Object.entries(table.subgroups ?? {}))
    subgroups[name] = evaluateSubgroups(testProbabilities, ytest, Array.from(testRows, (r) => keys[r]!), options.subgroupLimits);
  // Reference rows: the published points on the same test rows, fitted on nothing.
  const references: ReferenceResult[] = referenceScoresFor(table.name, table.X.featureNames).map((r) => {
    const testScores = rankableScores(r.score(Xtest));
    const auc = aucWithConfidence(testScores, ytest);
    return { name: r.name, citation: r.citation, substitutions: r.substitutions, testAuc: auc.auc, testAucLower: auc.lower, testAucUpper: auc.upper, testScores };
  });
  progress('done', 1);
  return {
    chosen: best.result,
    calibration,
    candidates: results.map((r) => r.result),
    model,
    fitSeconds,
    trainRows: trainRows.length,
    test: evaluateBinary(testProbabilities, ytest),
    testProbabilities,
    subgroups,
    references,
    ...(table.trueProbability ? ceilingOn(table.trueProbability, testRows, ytest) : {}),
  };
}
