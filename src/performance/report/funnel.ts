/**
 * Funnel-plot control limits for an institution's rate against its denominator (Spiegelhalter,
 * "Funnel plots for comparing institutional performance", Stat Med 2005): around the overall
 * proportion p, an institution with n patients is expected within p ± z·sqrt(p(1−p)/n) (normal
 * approximation to the binomial), z = 1.96 for 95% and z = 3.09 for 99.8% limits. A point
 * outside the 99.8% limits is a likely real difference, not chance.
 * Pure: no I/O.
 */

/** Two-sided 95%: the 97.5th percentile of the standard normal. */
export const Z_95 = 1.959963984540054;
/** Two-sided 99.8%: the 99.9th percentile of the standard normal. */
export const Z_998 = 3.090232306167813;

/** A point's place against the limits. */
export type FunnelPosition = 'within' | 'above 95%' | 'below 95%' | 'above 99.8%' | 'below 99.8%';

/** A bad argument to the funnel maths (a proportion outside 0-1, a denominator under 1). */
export class FunnelError extends Error {
  constructor(
    readonly code: 'FUNNEL_INPUT_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'FunnelError';
  }
}

/** p ± z·sqrt(p(1−p)/n), clipped to the 0-1 scale of a proportion. */
export function controlLimits(p: number, n: number, z: number): { lower: number; upper: number } {
  if (!(p >= 0 && p <= 1)) throw new FunnelError('FUNNEL_INPUT_INVALID', `overall proportion must be between 0 and 1 (got ${p})`);
  if (!(n >= 1)) throw new FunnelError('FUNNEL_INPUT_INVALID', `denominator must be at least 1 (got ${n})`);
  const half = z * Math.sqrt((p * (1 - p)) / n);
  return { lower: Math.max(0, p - half), upper: Math.min(1, p + half) };
}

/** Where a rate over n patients falls against the 95% and 99.8% limits around p. */
export function funnelPosition(rate: number, n: number, p: number): FunnelPosition {
  const outer = controlLimits(p, n, Z_998);
  if (rate > outer.upper) return 'above 99.8%';
  if (rate < outer.lower) return 'below 99.8%';
  const inner = controlLimits(p, n, Z_95);
  if (rate > inner.upper) return 'above 95%';
  if (rate < inner.lower) return 'below 95%';
  return 'within';
}

/** The limit curves sampled over denominators from `minN` to `maxN` (geometric steps, for plotting). */
export function funnelCurves(p: number, minN: number, maxN: number, steps = 60): { n: number; lower95: number; upper95: number; lower998: number; upper998: number }[] {
  const lo = Math.max(1, minN);
  const hi = Math.max(lo, maxN);
  const out = [];
  for (let i = 0; i <= steps; i++) {
    const n = lo * Math.pow(hi / lo, i / steps);
    const a = controlLimits(p, n, Z_95);
    const b = controlLimits(p, n, Z_998);
    out.push({ n, lower95: a.lower, upper95: a.upper, lower998: b.lower, upper998: b.upper });
  }
  return out;
}
