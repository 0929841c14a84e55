/**
 * Risk-standardised control rates per institution, CMS's hierarchical "predicted / expected"
 * method (CMS hospital outcome measures methodology, e.g. "2023 Condition-Specific Measures
 * Updates and Specifications Report", section 2.2.7-2.2.8), applied to the bureau's control
 * indicators (DOMAIN.md "Rates that move money are the risk-standardised ones; raw rates are
 * reported beside them").
 *
 * For institution j with patients i (logit p = x'beta + u_j, fitted by glmm.ts):
 * - observed O_j = patients controlled;
 * - expected E_j = sum_i sigmoid(x_i'beta): the average institution (u = 0) with j's case mix;
 * - predicted P_j = sum_i sigmoid(x_i'beta + u_j): j's own, shrunken, effect;
 * - O/E, P/E; risk-standardised rate RSR_j = P_j / E_j x overall observed rate (all patients);
 * - 95% interval of the RSR: bootstrap over patients WITHIN the institution (B resamples, seeded):
 *   each resample re-estimates u_j with beta and sigma^2 held at the fitted values
 *   (glmm.ts randomEffectMode) and recomputes (P* / E*) x overall rate; the 2.5th and 97.5th
 *   percentiles. It reflects the sampling of j's patients, not the uncertainty of beta (CMS's
 *   bootstrap also resamples hospitals and refits; that costs B full fits, too slow here);
 * - reliability R_j = 1 - v_j / sigma^2 (v_j the posterior variance of u_j): the share of the
 *   variation of j's rate that is signal; reliability-adjusted rate = R_j x raw + (1 - R_j) x
 *   overall rate (the classic empirical-Bayes shrinkage of a raw rate, Dimick et al. 2010).
 * An institution whose denominator is under the policy minimum is fitted with the others (its
 * patients inform the case-mix coefficients) but gets no published rate (DOMAIN.md "An indicator
 * with a denominator under 30 is not scored").
 * Pure: no I/O.
 */
import { Rng } from '../../lib/random.ts';
import type { GlmmOptions } from './glmm.ts';
import { fitRandomInterceptLogit, randomEffectMode, sigmoid } from './glmm.ts';

/** One patient of one indicator: outcome and case-mix covariates (first = intercept). */
export interface AdjustmentRow {
  memberId: string;
  institutionId: string;
  controlled: boolean;
  caseMix: readonly number[];
}

export interface RiskAdjustmentOptions {
  /** Bootstrap resamples per institution for the RSR interval. */
  bootstrapReplicates: number;
  /** Seed of the bootstrap (src/lib/random.ts). */
  seed: number | string;
  glmm?: Partial<GlmmOptions>;
  /** Case-mix features left out of the model (by name); the intercept cannot be. */
  excludeFeatures?: readonly string[];
}

export const RISK_ADJUSTMENT_DEFAULTS: RiskAdjustmentOptions = { bootstrapReplicates: 200, seed: 1 };

/** A patient's part in an institution's figures: sum of `expected` = E, of `predicted` = P. */
export interface PatientContribution {
  memberId: string;
  controlled: boolean;
  expected: number;
  predicted: number;
  /** The covariates the model saw (all features, in the caller's order; dropped ones included). */
  caseMix: readonly number[];
}

/** One institution's adjusted figures for one indicator. */
export interface InstitutionAdjustedRate {
  institutionId: string;
  denominator: number;
  observed: number;
  expected: number;
  predicted: number;
  rawRate: number | null;
  observedToExpected: number | null;
  predictedToExpected: number | null;
  riskStandardisedRate: number | null;
  interval: { lower: number; upper: number; method: 'bootstrap-within-institution'; replicates: number } | null;
  reliability: number | null;
  reliabilityAdjustedRate: number | null;
  /** Shrunken institution effect on the log-odds (u_j). */
  institutionEffect: number | null;
  /** Rates are published only at or above the minimum denominator. */
  published: boolean;
  unpublishedReason: 'denominator below minimum' | 'no patients' | null;
  patients: PatientContribution[];
}

/** The fitted case-mix model, for the record. */
export interface CaseMixModel {
  /** Coefficient per feature used (features constant in the data are dropped and listed). */
  coefficients: Record<string, number>;
  standardErrors: Record<string, number>;
  droppedFeatures: string[];
  institutionVariance: number;
  iterations: number;
  converged: boolean;
  patients: number;
  institutions: number;
}

export interface IndicatorAdjustment {
  overallRate: number | null;
  model: CaseMixModel | null;
  institutions: InstitutionAdjustedRate[];
}

function percentile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Fit the case-mix model over all rows and report every institution in `institutionIds` (those
 * without patients are reported with no rates).
 */
export function adjustIndicator(
  rows: readonly AdjustmentRow[],
  featureNames: readonly string[],
  institutionIds: readonly string[],
  minDenominator: number,
  options: Partial<RiskAdjustmentOptions> = {},
): IndicatorAdjustment {
  const o = { ...RISK_ADJUSTMENT_DEFAULTS, ...options };
  const empty = (id: string): InstitutionAdjustedRate => ({
    institutionId: id,
    denominator: 0,
    observed: 0,
    expected: 0,
    predicted: 0,
    rawRate: null,
    observedToExpected: null,
    predictedToExpected: null,
    riskStandardisedRate: null,
    interval: null,
    reliability: null,
    reliabilityAdjustedRate: null,
    institutionEffect: null,
    published: false,
    unpublishedReason: 'no patients',
    patients: [],
  });
  if (rows.length === 0) return { overallRate: null, model: null, institutions: institutionIds.map(empty) };

  // Keep the intercept and every feature that varies; a constant column would make X'WX singular.
  const width = featureNames.length;
  const kept: number[] = [0];
  for (let k = 1; k < width; k++) {
    if (o.excludeFeatures?.includes(featureNames[k]!)) continue;
    const first = rows[0]!.caseMix[k]!;
    if (rows.some((r) => r.caseMix[k] !== first)) kept.push(k);
  }
  const groupIndex = new Map<string, number>();
  for (const r of rows) if (!groupIndex.has(r.institutionId)) groupIndex.set(r.institutionId, groupIndex.size);
  const n = rows.length;
  const p = kept.length;
  const X = new Float64Array(n * p);
  const y = new Uint8Array(n);
  const group = new Int32Array(n);
  rows.forEach((r, i) => {
    kept.forEach((k, c) => (X[i * p + c] = r.caseMix[k]!));
    y[i] = r.controlled ? 1 : 0;
    group[i] = groupIndex.get(r.institutionId)!;
  });
  const fit = fitRandomInterceptLogit({ X, p, y, group, groups: groupIndex.size }, o.glmm);
  let controlledAll = 0;
  for (let i = 0; i < n; i++) controlledAll += y[i]!;
  const overallRate = controlledAll / n;

  const offsets = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < p; c++) s += X[i * p + c]! * fit.beta[c]!;
    offsets[i] = s;
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(group[i]!);
    if (list) list.push(i);
    else members.set(group[i]!, [i]);
  }

  const rng = new Rng(`risk-adjustment:${String(o.seed)}`);
  const institutions = institutionIds.map((id): InstitutionAdjustedRate => {
    const j = groupIndex.get(id);
    if (j === undefined) return empty(id);
    const idx = members.get(j)!;
    const u = fit.randomEffects[j]!;
    let observed = 0;
    let expected = 0;
    let predicted = 0;
    const patients: PatientContribution[] = idx.map((i) => {
      const e = sigmoid(offsets[i]!);
      const pr = sigmoid(offsets[i]! + u);
      observed += y[i]!;
      expected += e;
      predicted += pr;
      return { memberId: rows[i]!.memberId, controlled: y[i] === 1, expected: e, predicted: pr, caseMix: rows[i]!.caseMix };
    });
    const denominator = idx.length;
    const rawRate = observed / denominator;
    const rsr = (predicted / expected) * overallRate;
    const reliability = Math.min(1, Math.max(0, 1 - fit.conditionalVariance[j]! / fit.variance));
    // Bootstrap over the institution's patients, beta and sigma^2 fixed (see module comment).
    const reps = new Float64Array(o.bootstrapReplicates);
    const off = new Float64Array(denominator);
    const yy = new Uint8Array(denominator);
    const local = rng.fork(id);
    for (let b = 0; b < reps.length; b++) {
      let e = 0;
      for (let k = 0; k < denominator; k++) {
        const i = idx[local.int(0, denominator - 1)]!;
        off[k] = offsets[i]!;
        yy[k] = y[i]!;
        e += sigmoid(offsets[i]!);
      }
      const ub = randomEffectMode(off, yy, fit.variance, u);
      let pr = 0;
      for (let k = 0; k < denominator; k++) pr += sigmoid(off[k]! + ub);
      reps[b] = (pr / e) * overallRate;
    }
    reps.sort();
    const published = denominator >= minDenominator;
    return {
      institutionId: id,
      denominator,
      observed,
      expected,
      predicted,
      rawRate,
      observedToExpected: observed / expected,
      predictedToExpected: predicted / expected,
      riskStandardisedRate: rsr,
      interval: reps.length > 1 ? { lower: percentile(reps, 0.025), upper: percentile(reps, 0.975), method: 'bootstrap-within-institution', replicates: reps.length } : null,
      reliability,
      reliabilityAdjustedRate: reliability * rawRate + (1 - reliability) * overallRate,
      institutionEffect: u,
      published,
      unpublishedReason: published ? null : 'denominator below minimum',
      patients,
    };
  });

  const coefficients: Record<string, number> = {};
  const standardErrors: Record<string, number> = {};
  kept.forEach((k, c) => {
    coefficients[featureNames[k]!] = fit.beta[c]!;
    standardErrors[featureNames[k]!] = Math.sqrt(fit.betaCovariance[c * p + c]!);
  });
  return {
    overallRate,
    model: {
      coefficients,
      standardErrors,
      droppedFeatures: featureNames.filter((_, k) => !kept.includes(k)),
      institutionVariance: fit.variance,
      iterations: fit.iterations,
      converged: fit.converged,
      patients: n,
      institutions: groupIndex.size,
    },
    institutions,
  };
}
