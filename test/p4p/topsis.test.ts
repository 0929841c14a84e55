import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { placesFor, rankInstitutions, topsis } from '../../src/performance/p4p/topsis.ts';
import { P4PError } from '../../src/performance/p4p/errors.ts';

const policy = defaultPolicy().p4p;

/** Institutions that differ only in O1, so closeness follows O1. */
function byO1(o1s: number[], level = 'community') {
  return o1s.map((o1, i) => ({ id: `I${String(i).padStart(2, '0')}`, level, values: { O1: o1, O2: 0.5, P1: 0.6, P2: 0.6, cost: 1000 } }));
}

describe('TOPSIS', () => {
  it('matches a hand-computed example (vector normalisation, weights, ideal/anti-ideal, closeness)', () => {
    // benefit column (3, 4, 0) and cost column (4, 3, 0): both norms 5; weights 0.5 each
    // weighted: A (0.3, 0.4), B (0.4, 0.3), C (0, 0); ideal (0.4, 0), anti-ideal (0, 0.4)
    // A: d+ = sqrt(0.17), d- = 0.3 ; B: d+ = 0.3, d- = sqrt(0.17) ; C: d+ = d- = 0.4
    const scores = topsis(
      [
        { id: 'A', values: { q: 3, c: 4 } },
        { id: 'B', values: { q: 4, c: 3 } },
        { id: 'C', values: { q: 0, c: 0 } },
      ],
      [
        { key: 'q', weight: 0.5, direction: 'benefit' },
        { key: 'c', weight: 0.5, direction: 'cost' },
      ],
    );
    expect(scores[0]!.weightedNormalised.q).toBeCloseTo(0.3, 12);
    expect(scores[0]!.weightedNormalised.c).toBeCloseTo(0.4, 12);
    expect(scores[0]!.distanceToIdeal).toBeCloseTo(Math.sqrt(0.17), 12);
    expect(scores[0]!.closeness).toBeCloseTo(0.3 / (0.3 + Math.sqrt(0.17)), 10); // 0.421165
    expect(scores[1]!.closeness).toBeCloseTo(Math.sqrt(0.17) / (0.3 + Math.sqrt(0.17)), 10); // 0.578835
    expect(scores[2]!.closeness).toBe(0.5);
  });

  it('identical alternatives all tie at 0.5; negative or missing criteria are refused', () => {
    expect(topsis([{ id: 'A', values: { q: 1 } }, { id: 'B', values: { q: 1 } }], [{ key: 'q', weight: 1, direction: 'benefit' }]).map((s) => s.closeness)).toEqual([0.5, 0.5]);
    expect(() => topsis([{ id: 'A', values: { q: -1 } }], [{ key: 'q', weight: 1, direction: 'benefit' }])).toThrow(P4PError);
  });

  it('lower cost ranks higher when everything else is equal', () => {
    const r = rankInstitutions([
      { id: 'cheap', level: 'l', values: { O1: 0.5, O2: 0.5, P1: 0.5, P2: 0.5, cost: 800 } },
      { id: 'dear', level: 'l', values: { O1: 0.5, O2: 0.5, P1: 0.5, P2: 0.5, cost: 1200 } },
    ], policy);
    expect(r.map((x) => [x.id, x.rank])).toEqual([['cheap', 1], ['dear', 2]]);
  });
});

describe('coefficients by rank', () => {
  it('places are floor(n x share): 7 -> 1 top, 0 bottom; 10 -> 2 and 1; 20 -> 4 and 2', () => {
    expect([placesFor(7, 0.2), placesFor(7, 0.1)]).toEqual([1, 0]);
    expect([placesFor(10, 0.2), placesFor(10, 0.1)]).toEqual([2, 1]);
    expect([placesFor(20, 0.2), placesFor(20, 0.1)]).toEqual([4, 2]);
    expect(placesFor(30, 0.1)).toBe(3); // 30 x 0.1 in doubles is 3.0000000000000004
  });

  it('with 7 institutions: the best gets 1.05, nobody is lowered', () => {
    const r = rankInstitutions(byO1([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]), policy);
    expect(r.map((x) => x.nextYearCoefficient)).toEqual([1, 1, 1, 1, 1, 1, 1.05]);
    expect(r[6]!.rank).toBe(1);
    expect(r[0]!.rank).toBe(7);
  });

  it('with 10 institutions: top 2 get 1.05, the worst gets 0.97', () => {
    const r = rankInstitutions(byO1([0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42, 0.44, 0.46, 0.48]), policy);
    expect(r.map((x) => x.group)).toEqual(['bottom', 'middle', 'middle', 'middle', 'middle', 'middle', 'middle', 'middle', 'top', 'top']);
    expect(r.map((x) => x.nextYearCoefficient)).toEqual([0.97, 1, 1, 1, 1, 1, 1, 1, 1.05, 1.05]);
  });

  it('ties share a rank, and a tied group straddling the cut-off gets no change', () => {
    // best, then two tied for 2nd with 2 top places: only the best is raised
    const top = rankInstitutions(byO1([0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42, 0.46, 0.46, 0.48]), policy);
    expect(top.map((x) => x.rank).slice(7)).toEqual([2, 2, 1]);
    expect(top.map((x) => x.group).slice(7)).toEqual(['middle', 'middle', 'top']);
    // two tied for last with 1 bottom place: neither is lowered
    const bottom = rankInstitutions(byO1([0.3, 0.3, 0.34, 0.36, 0.38, 0.4, 0.42, 0.44, 0.46, 0.48]), policy);
    expect(bottom.slice(0, 2).map((x) => [x.rank, x.group])).toEqual([[9, 'middle'], [9, 'middle']]);
    // two tied for 1st with 2 top places: both raised
    const both = rankInstitutions(byO1([0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42, 0.44, 0.48, 0.48]), policy);
    expect(both.slice(8).map((x) => x.group)).toEqual(['top', 'top']);
  });

  it('ranks within a level only', () => {
    const r = rankInstitutions([...byO1([0.3, 0.6], 'community'), ...byO1([0.1, 0.2], 'county').map((x) => ({ ...x, id: `c-${x.id}` }))], policy);
    expect(r.map((x) => [x.level, x.rank, x.of])).toEqual([['community', 2, 2], ['community', 1, 2], ['county', 2, 2], ['county', 1, 2]]);
  });
});
