/**
 * Fits the bureau's risk model (issue 5 item 3): prospective weighted least squares of next year's
 * annualised cost on this year's age/sex cell, categories after hierarchies and interactions,
 * with every coefficient >= 0 and each family's coefficients non-decreasing in severity
 * (non-negative increments, `terms.ts`), solved by NNLS (`nnls.ts`). The coefficients are then
 * divided by the fit year's exposure-weighted mean predicted cost, so the mean score is 1.0 in the
 * fit year (DOMAIN.md "Capitation standard"); no CMS coding-intensity or normalisation factor.
 * Pure: rows in, tables out.
 */
import { compileRiskModel } from '../compile.ts';
import { RiskModelFitError } from '../errors.ts';
import type { RiskModelTables } from '../model-tables.ts';
import { round4 } from '../payment.ts';
import { nnlsFromNormalEquations } from './nnls.ts';
import { evaluateModel, type CostRow, type ModelEvaluation } from './predictive-ratios.ts';
import { termDesign, type TermColumn } from './terms.ts';

export interface FitOptions {
  /** Called every `progressEvery` rows with the number done (design pass). */
  onProgress?: (rowsDone: number, total: number) => void;
  progressEvery?: number;
  /** Groups with fewer member-years are left out of the evaluation's `byGroup` (default 1). */
  minGroupMembers?: number;
}

/** The fitted model and how it did on the rows it was fitted on. */
export interface FittedRiskModel {
  /** The engine's tables with the normalised coefficients (rounded to 4 decimals). */
  readonly tables: RiskModelTables;
  /** CNY of annual cost per 1.0 of score: the fit year's exposure-weighted mean predicted cost. */
  readonly costPerScore: number;
  /** Coefficients in CNY before normalisation, by name. */
  readonly costCoefficients: Readonly<Record<string, number>>;
  readonly columns: readonly TermColumn[];
  /** Member-years per column (how much data each coefficient rests on). */
  readonly support: Readonly<Record<string, number>>;
  readonly solverIterations: number;
  readonly evaluation: ModelEvaluation;
}

/**
 * Fits `structure` (tables whose coefficients are ignored) on `rows`.
 * @throws RiskModelFitError when there are no rows, an exposure is outside (0, 1], a cost is
 * negative or not finite, or the hierarchy cannot be made monotone.
 */
export function fitRiskModel(structure: RiskModelTables, rows: readonly CostRow[], options: FitOptions = {}): FittedRiskModel {
  if (rows.length === 0) throw new RiskModelFitError('no member-years to fit on');
  const design = termDesign(compileRiskModel({ ...structure, coefficients: {} }));
  const p = design.columns.length;
  const G = new Float64Array(p * p);
  const c = new Float64Array(p);
  const support = new Float64Array(p);
  const every = options.progressEvery ?? 10_000;
  rows.forEach((row, r) => {
    if (!(row.exposure > 0 && row.exposure <= 1)) throw new RiskModelFitError(`row ${r}: exposure ${row.exposure} is not in (0, 1]`);
    if (!(Number.isFinite(row.nextYearCost) && row.nextYearCost >= 0)) throw new RiskModelFitError(`row ${r}: cost ${row.nextYearCost} is not a non-negative number`);
    const terms = design.termsOf(row);
    for (const t of terms) support[t]!++;
    const z = design.incrementsOf(terms);
    // Weighted by exposure, target annualised: sum w (y - z.d)^2 with y = cost / w.
    const w = row.exposure;
    const y = row.nextYearCost / w;
    for (let a = 0; a < z.length; a++) {
      const i = z[a]!;
      c[i]! += w * y;
      for (let b = 0; b < z.length; b++) G[i * p + z[b]!]! += w;
    }
    if (options.onProgress && (r + 1) % every === 0) options.onProgress(r + 1, rows.length);
  });
  options.onProgress?.(rows.length, rows.length);

  // A term no member-year carries keeps a zero increment: with no data, a severe category is
  // priced as its milder neighbour (and an unseen mild one as nothing), not the other way round.
  const seen: number[] = [];
  for (let i = 0; i < p; i++) if (support[i]! > 0) seen.push(i);
  const q = seen.length;
  const Gq = new Float64Array(q * q);
  const cq = new Float64Array(q);
  seen.forEach((i, a) => {
    cq[a] = c[i]!;
    seen.forEach((j, b) => (Gq[a * q + b] = G[i * p + j]!));
  });
  const solution = nnlsFromNormalEquations(Gq, cq);
  const increments = new Float64Array(p);
  seen.forEach((i, a) => (increments[i] = solution.x[a]!));
  const beta = design.coefficientsFrom(increments);

  // Mean predicted annual cost over the fit rows (exposure-weighted) = the CNY value of score 1.0.
  let predictedSum = 0;
  let exposureSum = 0;
  for (const row of rows) {
    let predicted = 0;
    for (const t of design.termsOf(row)) predicted += beta[t]!;
    predictedSum += predicted * row.exposure;
    exposureSum += row.exposure;
  }
  const costPerScore = predictedSum / exposureSum;
  if (!(costPerScore > 0)) throw new RiskModelFitError('the fitted model predicts no cost: cannot normalise to a mean score of 1.0');

  const coefficients: Record<string, number> = {};
  const costCoefficients: Record<string, number> = {};
  const supportByName: Record<string, number> = {};
  design.columns.forEach((column, i) => {
    // Rounding is monotone, so it keeps beta(severe) >= beta(mild) >= 0.
    coefficients[column.name] = round4(beta[i]! / costPerScore);
    costCoefficients[column.name] = beta[i]!;
    supportByName[column.name] = support[i]!;
  });
  const tables: RiskModelTables = { ...structure, coefficients };
  return {
    tables,
    costPerScore,
    costCoefficients,
    columns: design.columns,
    support: supportByName,
    solverIterations: solution.iterations,
    evaluation: evaluateModel(compileRiskModel(tables), rows, costPerScore, options.minGroupMembers ?? 1),
  };
}
