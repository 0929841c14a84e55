/**
 * Indicator scores and the composite (DOMAIN.md "The P4P formula").
 * - Each indicator is scored QOF-style: s = clamp((rate - lower) / (upper - lower), 0, 1), on the
 *   risk-standardised rate (raw rates are reported beside it).
 * - An indicator whose denominator is under minDenominator (or that has no data) is not scored;
 *   its weight is shared out over the scored ones in proportion to their configured weights,
 *   i.e. each scored weight becomes weight / (sum of scored weights).
 * - Composite C = sum of weight used x s, in [0, 1]. If no indicator can be scored there is no
 *   composite (null): the institution can be neither rewarded nor penalised on nothing.
 * All figures are exact rationals; strings are for display and traces.
 */
import type { Policy } from '../../config/policy.ts';
import type { DecimalInput } from '../../lib/money.ts';
import { P4PError } from './errors.ts';
import { Rational } from './rational.ts';

/** The P4P figures of the policy (policy.p4p). */
export type P4PPolicy = Policy['p4p'];

/** Decimal places of scores, weights and composites in display strings. */
export const DISPLAY_PLACES = 6;

/** One indicator's measured result for an institution-period. */
export interface IndicatorResult {
  id: string;
  /** Risk-standardised rate, 0-1: the rate that moves money. */
  rate: DecimalInput;
  /** Raw (unstandardised) rate, reported beside it. */
  rawRate?: DecimalInput;
  /** Size of the indicator's denominator population. */
  denominator: number;
}

/** One indicator on the statement, with everything used to score it. */
export interface IndicatorScore {
  id: string;
  kind: 'outcome' | 'process';
  rate: string | null;
  rawRate: string | null;
  denominator: number | null;
  lower: number;
  upper: number;
  scored: boolean;
  /** Why it was not scored. */
  notScoredReason: 'denominator below minimum' | 'no data' | null;
  score: string | null;
  scoreExact: string | null;
  configuredWeight: number;
  /** Weight after sharing out the weights of unscored indicators. */
  weightUsed: string;
  weightUsedExact: string;
  contribution: string;
}

/** Indicator scores and composite of one institution-period. */
export interface CompositeResult {
  indicators: IndicatorScore[];
  /** null when no indicator could be scored. */
  composite: Rational | null;
}

function asRate(value: DecimalInput, id: string, what: string): Rational {
  let r: Rational;
  try {
    r = Rational.from(value);
  } catch {
    throw new P4PError('INDICATOR_INPUT_INVALID', `indicator ${id}: ${what} is not a number (${String(value)})`);
  }
  if (r.lt(Rational.ZERO) || Rational.ONE.lt(r)) throw new P4PError('INDICATOR_INPUT_INVALID', `indicator ${id}: ${what} must be between 0 and 1 (got ${String(value)})`);
  return r;
}

/** s = clamp((rate - lower) / (upper - lower), 0, 1). */
export function indicatorScore(rate: Rational, lower: number, upper: number): Rational {
  const lo = Rational.from(lower);
  return rate.minus(lo).div(Rational.from(upper).minus(lo)).clamp(Rational.ZERO, Rational.ONE);
}

/** Score the configured indicators from the results given and form the composite. */
export function scoreComposite(results: readonly IndicatorResult[], policy: P4PPolicy): CompositeResult {
  const byId = new Map<string, IndicatorResult>();
  for (const r of results) {
    if (byId.has(r.id)) throw new P4PError('INDICATOR_INPUT_INVALID', `indicator ${r.id} given twice`);
    if (!policy.indicators.some((i) => i.id === r.id)) throw new P4PError('INDICATOR_INPUT_INVALID', `indicator ${r.id} is not configured`);
    if (!Number.isInteger(r.denominator) || r.denominator < 0) throw new P4PError('INDICATOR_INPUT_INVALID', `indicator ${r.id}: denominator must be a whole number >= 0`);
    byId.set(r.id, r);
  }
  const staged = policy.indicators.map((config) => {
    const result = byId.get(config.id);
    const rate = result ? asRate(result.rate, config.id, 'rate') : null;
    const rawRate = result?.rawRate !== undefined ? asRate(result.rawRate, config.id, 'raw rate') : null;
    const notScoredReason = !result ? ('no data' as const) : result.denominator < policy.minDenominator ? ('denominator below minimum' as const) : null;
    const score = rate && notScoredReason === null ? indicatorScore(rate, config.lower, config.upper) : null;
    return { config, result, rate, rawRate, notScoredReason, score };
  });
  const scoredWeight = staged.filter((s) => s.score).reduce((sum, s) => sum.plus(Rational.from(s.config.weight)), Rational.ZERO);
  let composite: Rational | null = scoredWeight.compare(Rational.ZERO) > 0 ? Rational.ZERO : null;
  const indicators = staged.map((s): IndicatorScore => {
    // Unscored weight is shared out in proportion: each scored weight is divided by the scored total.
    const weightUsed = s.score && composite ? Rational.from(s.config.weight).div(scoredWeight) : Rational.ZERO;
    const contribution = s.score ? weightUsed.times(s.score) : Rational.ZERO;
    if (composite) composite = composite.plus(contribution);
    return {
      id: s.config.id,
      kind: s.config.kind,
      rate: s.rate ? s.rate.toFixed(DISPLAY_PLACES) : null,
      rawRate: s.rawRate ? s.rawRate.toFixed(DISPLAY_PLACES) : null,
      denominator: s.result?.denominator ?? null,
      lower: s.config.lower,
      upper: s.config.upper,
      scored: s.score !== null,
      notScoredReason: s.notScoredReason,
      score: s.score ? s.score.toFixed(DISPLAY_PLACES) : null,
      scoreExact: s.score ? s.score.toFractionString() : null,
      configuredWeight: s.config.weight,
      weightUsed: weightUsed.toFixed(DISPLAY_PLACES),
      weightUsedExact: weightUsed.toFractionString(),
      contribution: contribution.toFixed(DISPLAY_PLACES),
    };
  });
  return { indicators, composite };
}
