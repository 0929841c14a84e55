/**
 * How well a risk model predicts cost: R-squared and predictive ratios (predicted / actual) for the
 * pool, by decile of predicted cost, by category and by any grouping (institution). A predictive
 * ratio of 1.00 means the budget the scores set equals what was spent; DOMAIN.md "Capitation
 * standard" targets within 5% at pool level. Pure.
 */
import { categoriesOf, compileCompact, newCompactScore, scoreCompact } from '../compact.ts';
import type { CompiledRiskModel } from '../compile.ts';
import { RiskModelFitError } from '../errors.ts';

/** One member-year: this year's demographics and diagnoses, next year's cost. */
export interface CostRow {
  /** Age in whole years at the start of the feature year. */
  readonly age: number;
  readonly sex: 'M' | 'F';
  /** Diagnosis codes active in the feature year. */
  readonly dx: readonly string[];
  /** Total claims in the following year (CNY). */
  readonly nextYearCost: number;
  /** Enrolled months in the following year / 12, in (0, 1]: cost is annualised by it and weighted by it. */
  readonly exposure: number;
  /** Grouping for `byGroup` (e.g. the attributed institution); undefined = none. */
  readonly group?: string;
}

/** Predicted against actual for one set of member-years. */
export interface RatioCell {
  readonly label: string;
  readonly members: number;
  /** Sum of exposure-weighted predicted cost / sum of actual cost. */
  readonly predictiveRatio: number;
  readonly meanPredicted: number;
  readonly meanActual: number;
  /**
   * Sampling standard error of the ratio, sqrt(sum (actual - predicted)^2) / sum actual: how far
   * from 1.0 an unbiased model's ratio strays by chance in a group this size.
   */
  readonly standardError: number;
}

export interface ModelEvaluation {
  readonly members: number;
  /** Exposure-weighted R-squared of annualised cost. */
  readonly rSquared: number;
  /** Exposure-weighted mean score (1.0 in the fit year by construction). */
  readonly meanScore: number;
  readonly pool: RatioCell;
  readonly byDecile: readonly RatioCell[];
  readonly byCategory: readonly RatioCell[];
  readonly byGroup: readonly RatioCell[];
}

class Tally {
  members = 0;
  predicted = 0;
  actual = 0;
  exposure = 0;
  squaredResidual = 0;
  add(predicted: number, actual: number, exposure: number): void {
    this.members++;
    this.predicted += predicted * exposure;
    this.actual += actual;
    this.exposure += exposure;
    this.squaredResidual += (actual - predicted * exposure) ** 2;
  }
  cell(label: string): RatioCell {
    return {
      label,
      members: this.members,
      predictiveRatio: this.actual > 0 ? this.predicted / this.actual : NaN,
      meanPredicted: this.exposure > 0 ? this.predicted / this.exposure : NaN,
      meanActual: this.exposure > 0 ? this.actual / this.exposure : NaN,
      standardError: this.actual > 0 ? Math.sqrt(this.squaredResidual) / this.actual : NaN,
    };
  }
}

/**
 * Scores every row (fast path) and compares predicted cost = score x `costPerScore` with the
 * actual next-year cost.
 * @param costPerScore CNY of annual cost per 1.0 of score (the fit year's mean predicted cost).
 * @param minGroupMembers groups with fewer member-years are left out of `byGroup`.
 */
export function evaluateModel(model: CompiledRiskModel, rows: readonly CostRow[], costPerScore: number, minGroupMembers = 1): ModelEvaluation {
  if (rows.length === 0) throw new RiskModelFitError('no member-years to evaluate');
  const compact = compileCompact(model);
  const segment = Object.keys(model.tables.segments)[0]!;
  const out = newCompactScore(compact);
  const predicted = new Float64Array(rows.length);
  const scores = new Float64Array(rows.length);
  const pool = new Tally();
  const byCategory = new Map<number, Tally>();
  const byGroup = new Map<string, Tally>();
  let weightedScore = 0;
  let weight = 0;
  rows.forEach((row, i) => {
    scoreCompact(compact, { age: row.age, sex: row.sex, segment, orec: '0', medicaid: false, dx: row.dx }, out);
    scores[i] = out.raw;
    predicted[i] = out.raw * costPerScore;
    pool.add(predicted[i]!, row.nextYearCost, row.exposure);
    weightedScore += out.raw * row.exposure;
    weight += row.exposure;
    for (const c of categoriesOf(compact, out.hccBits)) {
      const t = byCategory.get(c) ?? new Tally();
      t.add(predicted[i]!, row.nextYearCost, row.exposure);
      byCategory.set(c, t);
    }
    if (row.group !== undefined) {
      const t = byGroup.get(row.group) ?? new Tally();
      t.add(predicted[i]!, row.nextYearCost, row.exposure);
      byGroup.set(row.group, t);
    }
  });

  // Weighted R-squared of annualised cost.
  const meanActual = pool.actual / pool.exposure;
  let residual = 0;
  let total = 0;
  rows.forEach((row, i) => {
    const y = row.nextYearCost / row.exposure;
    residual += row.exposure * (y - predicted[i]!) ** 2;
    total += row.exposure * (y - meanActual) ** 2;
  });

  // Deciles of predicted cost by member count (ties broken by row order, so deciles are equal-sized).
  const order = Array.from(rows.keys()).sort((a, b) => predicted[a]! - predicted[b]! || a - b);
  const deciles = Array.from({ length: 10 }, () => new Tally());
  order.forEach((r, k) => deciles[Math.min(9, Math.floor((k * 10) / rows.length))]!.add(predicted[r]!, rows[r]!.nextYearCost, rows[r]!.exposure));

  const labels = new Map(model.tables.categories.map((c) => [c.id, c.label]));
  return {
    members: rows.length,
    rSquared: total > 0 ? 1 - residual / total : NaN,
    meanScore: weightedScore / weight,
    pool: pool.cell('pool'),
    byDecile: deciles.map((t, d) => t.cell(`decile ${d + 1}`)),
    byCategory: [...byCategory.entries()].sort(([a], [b]) => a - b).map(([c, t]) => t.cell(`HCC${c} ${labels.get(c) ?? ''}`.trim())),
    byGroup: [...byGroup.entries()]
      .filter(([, t]) => t.members >= minGroupMembers)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([g, t]) => t.cell(g)),
  };
}
