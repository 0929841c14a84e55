/**
 * Ranking by weighted TOPSIS and the next-year payment coefficient (DOMAIN.md "The P4P formula":
 * ranking over institutions of the same level; criteria risk-standardised O1, O2, P1, P2 (higher
 * is better) and risk-adjusted cost per member-year (lower is better), weights 0.3/0.3/0.1/0.1/0.2;
 * top 20% get 1.05, bottom 10% get 0.97, others 1.00).
 *
 * TOPSIS: vector-normalise each criterion column (x / sqrt(sum x^2); an all-zero column stays 0),
 * multiply by its weight, take the ideal (best of each column: max for benefit, min for cost) and
 * the anti-ideal (the worst), and score closeness = d- / (d+ + d-) from the Euclidean distances.
 * When d+ + d- = 0 every institution is identical on every weighted criterion: closeness 0.5, and
 * they all tie. Closeness is a ranking figure, not money, so doubles are used; it is rounded to
 * 12 decimals before comparing so that ties are ties.
 *
 * Counts and ties: within a level of n institutions, the top group holds floor(n x topShare) and
 * the bottom group floor(n x bottomShare) places (7 institutions: floor(1.4) = 1 top,
 * floor(0.7) = 0 bottom; 10: 2 and 1). Institutions tied on closeness share a rank (competition
 * ranking: 1, 2, 2, 4) and are treated alike: a tied group gets the top coefficient only if the
 * whole group fits inside the top places, and the bottom coefficient only if the whole group fits
 * inside the bottom places. So no more than the configured share is ever raised or lowered, and no
 * institution is lowered while an equal one is not. If the top and bottom groups could overlap
 * (shares adding up past 1), top wins.
 */
import { Decimal } from '../../lib/money.ts';
import type { P4PPolicy } from './composite.ts';
import { P4PError } from './errors.ts';

/** A TOPSIS criterion. */
export interface TopsisCriterion {
  key: string;
  weight: number;
  direction: 'benefit' | 'cost';
}

/** One alternative's TOPSIS figures. */
export interface TopsisScore {
  id: string;
  values: Record<string, number>;
  weightedNormalised: Record<string, number>;
  distanceToIdeal: number;
  distanceToAntiIdeal: number;
  closeness: number;
}

const CLOSENESS_PLACES = 12;

/** Weighted TOPSIS closeness of each alternative (input order kept). */
export function topsis(alternatives: readonly { id: string; values: Record<string, number> }[], criteria: readonly TopsisCriterion[]): TopsisScore[] {
  for (const a of alternatives)
    for (const c of criteria) {
      const v = a.values[c.key];
      if (v === undefined || !Number.isFinite(v) || v < 0) throw new P4PError('INSTITUTION_INPUT_INVALID', `institution ${a.id}: criterion ${c.key} must be a finite number >= 0 (got ${v})`);
    }
  const norms = criteria.map((c) => Math.sqrt(alternatives.reduce((s, a) => s + a.values[c.key]! ** 2, 0)));
  const weighted = alternatives.map((a) => criteria.map((c, j) => (norms[j] === 0 ? 0 : (a.values[c.key]! / norms[j]!) * c.weight)));
  const column = (j: number) => weighted.map((row) => row[j]!);
  const ideal = criteria.map((c, j) => (c.direction === 'benefit' ? Math.max(...column(j)) : Math.min(...column(j))));
  const anti = criteria.map((c, j) => (c.direction === 'benefit' ? Math.min(...column(j)) : Math.max(...column(j))));
  return alternatives.map((a, i) => {
    const row = weighted[i]!;
    const dPlus = Math.sqrt(row.reduce((s, v, j) => s + (v - ideal[j]!) ** 2, 0));
    const dMinus = Math.sqrt(row.reduce((s, v, j) => s + (v - anti[j]!) ** 2, 0));
    const raw = dPlus + dMinus === 0 ? 0.5 : dMinus / (dPlus + dMinus);
    return {
      id: a.id,
      values: { ...a.values },
      weightedNormalised: Object.fromEntries(criteria.map((c, j) => [c.key, row[j]!])),
      distanceToIdeal: dPlus,
      distanceToAntiIdeal: dMinus,
      closeness: Number(raw.toFixed(CLOSENESS_PLACES)),
    };
  });
}

/** The TOPSIS criteria of the policy: indicator rates as benefits, cost per member-year as cost. */
export function policyCriteria(policy: P4PPolicy): TopsisCriterion[] {
  const w = policy.topsisWeights;
  return [
    { key: 'O1', weight: w.O1, direction: 'benefit' },
    { key: 'O2', weight: w.O2, direction: 'benefit' },
    { key: 'P1', weight: w.P1, direction: 'benefit' },
    { key: 'P2', weight: w.P2, direction: 'benefit' },
    { key: 'cost', weight: w.cost, direction: 'cost' },
  ];
}

/** One institution's place in its level. */
export interface RankingResult extends TopsisScore {
  level: string;
  /** Competition rank within the level (1 = best; ties share the best rank). */
  rank: number;
  of: number;
  group: 'top' | 'bottom' | 'middle';
  nextYearCoefficient: number;
  topPlaces: number;
  bottomPlaces: number;
}

/** Places for a share of n: floor(n x share), computed exactly (7 x 0.2 = 1.4 -> 1). */
export function placesFor(n: number, share: number): number {
  return new Decimal(n).times(String(share)).floor().toNumber();
}

/** Rank institutions within each level and assign next year's payment coefficient. */
export function rankInstitutions(
  institutions: readonly { id: string; level: string; values: Record<string, number> }[],
  policy: P4PPolicy,
): RankingResult[] {
  const levels = new Map<string, typeof institutions[number][]>();
  for (const inst of institutions) levels.set(inst.level, [...(levels.get(inst.level) ?? []), inst]);
  const results = new Map<string, RankingResult>();
  const criteria = policyCriteria(policy);
  for (const [level, members] of levels) {
    const scores = topsis(members, criteria);
    const n = scores.length;
    const topPlaces = placesFor(n, policy.topShare);
    const bottomPlaces = placesFor(n, policy.bottomShare);
    for (const s of scores) {
      const better = scores.filter((o) => o.closeness > s.closeness).length;
      const worse = scores.filter((o) => o.closeness < s.closeness).length;
      const tied = n - better - worse;
      const group = better + tied <= topPlaces ? 'top' : worse + tied <= bottomPlaces ? 'bottom' : 'middle';
      const nextYearCoefficient = group === 'top' ? policy.topCoefficient : group === 'bottom' ? policy.bottomCoefficient : 1;
      results.set(s.id, { ...s, level, rank: better + 1, of: n, group, nextYearCoefficient, topPlaces, bottomPlaces });
    }
  }
  return institutions.map((i) => results.get(i.id)!);
}
