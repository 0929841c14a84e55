/**
 * Challenger against champion on the same test rows: the paired DeLong test of the AUC difference
 * and the promotion rule the report states in plain words. Pure functions.
 *
 * Source: DeLong, DeLong & Clarke-Pearson (1988), the covariance of two correlated AUCs from the
 * placement values of each model, computed with the midranks of Sun & Xu (2014).
 */
import { brierScore, normalQuantile, placementValues } from '../../src/models/evaluation/metrics.ts';
import { ReportError } from './errors.ts';

/** Difference of two AUCs on the same rows (challenger minus champion) with its paired DeLong interval. */
export interface PairedAucDifference {
  challengerAuc: number;
  championAuc: number;
  difference: number;
  standardError: number;
  lower: number;
  upper: number;
  /** Two-sided p-value of "no difference"; NaN when the standard error is zero or undefined. */
  pValue: number;
  level: number;
}

/** Sample covariance of two equal-length arrays around the given means. */
function covariance(a: Float64Array, b: Float64Array, meanA: number, meanB: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - meanA) * (b[i]! - meanB);
  return s / (a.length - 1);
}

/** Standard normal CDF via the complementary error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Paired DeLong test of AUC(challenger) - AUC(champion) on the same rows: the variance is
 * (S10_AA + S10_BB - 2 S10_AB)/m + (S01_AA + S01_BB - 2 S01_AB)/n, so the correlation of two
 * models scored on one test set narrows the interval compared with two independent AUCs.
 */
export function pairedAucDifference(challenger: ArrayLike<number>, champion: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): PairedAucDifference {
  if (challenger.length !== y.length || champion.length !== y.length) {
    throw new ReportError('LENGTH_MISMATCH', `challenger ${challenger.length}, champion ${champion.length} probabilities but ${y.length} labels`);
  }
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i] === 1 ? 1 : 0;
  const n = y.length - m;
  if (m < 2 || n < 2) throw new ReportError('SINGLE_CLASS', `the paired AUC test needs at least 2 rows of each class; got ${m} positives and ${n} negatives`);
  const A = placementValues(challenger, y, m, n);
  const B = placementValues(champion, y, m, n);
  const s10 = covariance(A.v10, A.v10, A.auc, A.auc) + covariance(B.v10, B.v10, B.auc, B.auc) - 2 * covariance(A.v10, B.v10, A.auc, B.auc);
  const s01 = covariance(A.v01, A.v01, A.auc, A.auc) + covariance(B.v01, B.v01, B.auc, B.auc) - 2 * covariance(A.v01, B.v01, A.auc, B.auc);
  const standardError = Math.sqrt(Math.max(0, s10 / m + s01 / n));
  const difference = A.auc - B.auc;
  const z = normalQuantile(1 - (1 - level) / 2);
  const pValue = standardError > 0 ? 2 * (1 - normalCdf(Math.abs(difference) / standardError)) : NaN;
  return {
    challengerAuc: A.auc,
    championAuc: B.auc,
    difference,
    standardError,
    lower: difference - z * standardError,
    upper: difference + z * standardError,
    pValue,
    level,
  };
}

/** Tolerances of the promotion rule. */
export interface PromotionRule {
  /** A challenger whose AUC is lower than the champion's by more than this is not promoted. */
  aucTolerance: number;
  /** A challenger whose Brier score is higher than the champion's by more than this is not promoted. */
  brierTolerance: number;
}

/**
 * Default tolerances: an AUC loss up to 0.005 and a Brier rise up to 0.0005 are within the noise of
 * a refit on the same data, so they neither block nor justify a change on their own.
 */
export const DEFAULT_PROMOTION_RULE: PromotionRule = { aucTolerance: 0.005, brierTolerance: 0.0005 };

export type Recommendation = 'promote' | 'keep-champion';

export interface ChampionComparison {
  auc: PairedAucDifference;
  challengerBrier: number;
  championBrier: number;
  /** Challenger minus champion: negative means the challenger's probabilities are closer to the outcomes. */
  brierDifference: number;
  recommendation: Recommendation;
  /** The reason, in plain words, for the report. */
  reason: string;
}

const signed = (x: number, digits: number) => (x >= 0 ? '+' : '-') + Math.abs(x).toFixed(digits);

/**
 * The promotion rule. The served probability moves money (DOMAIN.md: payments are risk-adjusted),
 * so accuracy of the probabilities (Brier) gates first, ranking (AUC) second:
 * 1. keep the champion when the challenger's Brier is worse by more than the tolerance;
 * 2. keep it when the challenger's AUC is lower by more than the tolerance, or the paired DeLong
 *    interval lies wholly below zero (a significant loss of ranking);
 * 3. promote when neither is worse beyond tolerance and at least one is better;
 * 4. otherwise (no better on either) keep the champion: a change needs a reason.
 */
export function compareWithChampion(
  challenger: ArrayLike<number>,
  champion: ArrayLike<number>,
  y: ArrayLike<number>,
  rule: PromotionRule = DEFAULT_PROMOTION_RULE,
): ChampionComparison {
  const auc = pairedAucDifference(challenger, champion, y);
  const challengerBrier = brierScore(challenger, y);
  const championBrier = brierScore(champion, y);
  const brierDifference = challengerBrier - championBrier;
  const dAuc = `AUC ${signed(auc.difference, 3)} (95% CI ${signed(auc.lower, 3)} to ${signed(auc.upper, 3)})`;
  const dBrier = `Brier ${signed(brierDifference, 4)}`;
  let recommendation: Recommendation;
  let reason: string;
  if (brierDifference > rule.brierTolerance) {
    recommendation = 'keep-champion';
    reason = `The new model's probabilities are less accurate: ${dBrier}, beyond the tolerance of ${rule.brierTolerance}.`;
  } else if (auc.difference < -rule.aucTolerance || auc.upper < 0) {
    recommendation = 'keep-champion';
    reason = `The new model ranks members worse: ${dAuc}${auc.upper < 0 ? ', a significant loss' : `, beyond the tolerance of ${rule.aucTolerance}`}.`;
  } else if (auc.difference > 0 || brierDifference < 0) {
    recommendation = 'promote';
    reason = `The new model is no worse on either measure and better on at least one: ${dAuc}, ${dBrier}.`;
  } else {
    recommendation = 'keep-champion';
    reason = `The new model is better on neither measure (${dAuc}, ${dBrier}): no reason to change.`;
  }
  return { auc, challengerBrier, championBrier, brierDifference, recommendation, reason };
}
