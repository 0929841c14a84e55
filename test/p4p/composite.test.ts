import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy } from '../../src/config/policy.ts';
import { indicatorScore, scoreComposite } from '../../src/performance/p4p/composite.ts';
import { P4PError } from '../../src/performance/p4p/errors.ts';
import { Rational } from '../../src/performance/p4p/rational.ts';

const policy = defaultPolicy().p4p;
const results = (rates: Record<string, number>, denominators: Record<string, number> = {}) =>
  Object.entries(rates).map(([id, rate]) => ({ id, rate, denominator: denominators[id] ?? 100 }));

describe('indicator scores and composite (DOMAIN.md "The P4P formula")', () => {
  it('reproduces the worked example: s 0.8, 0.333, 0.75, 0.3 and C = 0.55 exactly', () => {
    const { indicators, composite } = scoreComposite(results({ O1: 0.5, O2: 0.45, P1: 0.7, P2: 0.52 }), policy);
    expect(indicators.map((i) => i.scoreExact)).toEqual(['4/5', '1/3', '3/4', '3/10']);
    expect(indicators.map((i) => i.score)).toEqual(['0.800000', '0.333333', '0.750000', '0.300000']);
    expect(indicators.map((i) => i.contribution)).toEqual(['0.240000', '0.100000', '0.150000', '0.060000']);
    expect(composite!.toFractionString()).toBe('11/20');
  });

  it('scores the risk-standardised rate and reports the raw rate beside it', () => {
    const { indicators } = scoreComposite([{ id: 'O1', rate: 0.5, rawRate: 0.42, denominator: 100 }], policy);
    expect(indicators[0]).toMatchObject({ rate: '0.500000', rawRate: '0.420000', scoreExact: '4/5' });
  });

  it('clamps scores to [0, 1] at and beyond the lower and upper rates', () => {
    const s = (rate: number) => indicatorScore(Rational.from(rate), 0.3, 0.55).toFractionString();
    expect([s(0.2), s(0.3), s(0.55), s(0.9)]).toEqual(['0', '0', '1', '1']);
  });

  it('shares out the weight of an indicator with a small denominator in proportion', () => {
    const { indicators, composite } = scoreComposite(results({ O1: 0.5, O2: 0.45, P1: 0.7, P2: 0.52 }, { O2: 29 }), policy);
    const o2 = indicators.find((i) => i.id === 'O2')!;
    expect(o2.scored).toBe(false);
    expect(o2.notScoredReason).toBe('denominator below minimum');
    expect(indicators.map((i) => i.weightUsedExact)).toEqual(['3/7', '0', '2/7', '2/7']);
    // (3/7)(4/5) + (2/7)(3/4) + (2/7)(3/10) = 9/14
    expect(composite!.toFractionString()).toBe('9/14');
    // exactly the minimum denominator is scored
    expect(scoreComposite(results({ O1: 0.5, O2: 0.45, P1: 0.7, P2: 0.52 }, { O2: 30 }), policy).composite!.toFractionString()).toBe('11/20');
  });

  it('a missing indicator is not scored; nothing scored means no composite', () => {
    const partial = scoreComposite(results({ O1: 0.55 }), policy);
    expect(partial.indicators.filter((i) => i.notScoredReason === 'no data').map((i) => i.id)).toEqual(['O2', 'P1', 'P2']);
    expect(partial.composite!.toFractionString()).toBe('1');
    expect(scoreComposite(results({ O1: 0.5 }, { O1: 3 }), policy).composite).toBeNull();
  });

  it('refuses bad inputs with typed errors', () => {
    expect(() => scoreComposite(results({ O1: 1.2 }), policy)).toThrow(P4PError);
    expect(() => scoreComposite(results({ X9: 0.5 }), policy)).toThrow(/not configured/);
    expect(() => scoreComposite([...results({ O1: 0.5 }), ...results({ O1: 0.5 })], policy)).toThrow(/twice/);
  });

  it('property: the composite is in [0, 1] and the weights used sum to 1', () => {
    const rate = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);
    fc.assert(
      fc.property(fc.tuple(rate, rate, rate, rate), fc.tuple(fc.nat(60), fc.nat(60), fc.nat(60), fc.nat(60)), ([a, b, c, d], [da, db, dc, dd]) => {
        const r = scoreComposite(results({ O1: a, O2: b, P1: c, P2: d }, { O1: da, O2: db, P1: dc, P2: dd }), policy);
        if (r.composite === null) return;
        expect(r.composite.compare(Rational.ZERO) >= 0 && r.composite.compare(Rational.ONE) <= 0).toBe(true);
        const sum = r.indicators.reduce((s, i) => s.plus(Rational.from(i.weightUsedExact)), Rational.ZERO);
        expect(sum.toFractionString()).toBe('1');
      }),
    );
  });
});
