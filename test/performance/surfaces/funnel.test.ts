import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlLimits, funnelCurves, funnelPosition, Z_95, Z_998 } from '../../../src/performance/report/funnel.ts';

describe('funnel control limits (p ± z·sqrt(p(1−p)/n))', () => {
  it('p = 0.5, n = 100: 95% limits 0.402 / 0.598, 99.8% limits 0.3455 / 0.6545', () => {
    const a = controlLimits(0.5, 100, Z_95);
    expect(a.lower).toBeCloseTo(0.402, 3);
    expect(a.upper).toBeCloseTo(0.598, 3);
    const b = controlLimits(0.5, 100, Z_998);
    expect(b.lower).toBeCloseTo(0.3455, 4);
    expect(b.upper).toBeCloseTo(0.6545, 4);
  });

  it('clips to the 0-1 scale of a proportion', () => {
    expect(controlLimits(0.05, 4, Z_998)).toEqual({ lower: 0, upper: 0.05 + Z_998 * Math.sqrt((0.05 * 0.95) / 4) });
    expect(controlLimits(0.99, 2, Z_998).upper).toBe(1);
  });

  it('refuses a proportion outside 0-1 and a denominator under 1', () => {
    expect(() => controlLimits(1.2, 10, Z_95)).toThrow(/between 0 and 1/);
    expect(() => controlLimits(0.5, 0, Z_95)).toThrow(/at least 1/);
  });

  it('places a rate against both limits', () => {
    expect(funnelPosition(0.5, 100, 0.5)).toBe('within');
    expect(funnelPosition(0.62, 100, 0.5)).toBe('above 95%');
    expect(funnelPosition(0.7, 100, 0.5)).toBe('above 99.8%');
    expect(funnelPosition(0.38, 100, 0.5)).toBe('below 95%');
    expect(funnelPosition(0.3, 100, 0.5)).toBe('below 99.8%');
  });

  it('property: the 99.8% band contains the 95% band, which contains p, and narrows as n grows', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 100_000 }), (p, n) => {
        const a = controlLimits(p, n, Z_95);
        const b = controlLimits(p, n, Z_998);
        const wider = controlLimits(p, n * 2, Z_95);
        return b.lower <= a.lower && a.lower <= p && p <= a.upper && a.upper <= b.upper && wider.upper - wider.lower <= a.upper - a.lower + 1e-12;
      }),
    );
  });

  it('samples the curves from the smallest to the largest denominator', () => {
    const c = funnelCurves(0.4, 10, 1000, 10);
    expect(c).toHaveLength(11);
    expect(c[0]!.n).toBeCloseTo(10);
    expect(c[10]!.n).toBeCloseTo(1000);
    expect(c[10]!.upper95 - c[10]!.lower95).toBeLessThan(c[0]!.upper95 - c[0]!.lower95);
  });
});
