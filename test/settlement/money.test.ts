import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatMoney, fenString, fromFen, MoneyError, multiplyByRate, parseMoney, prorateByMonths, roundFen, roundScore, splitByShare, sumMoney, toFen } from '../../src/lib/money.ts';

describe('money helper', () => {
  it('parses exactly, including numbers by their shortest decimal form', () => {
    expect(parseMoney(0.1).plus(parseMoney(0.2)).toString()).toBe('0.3');
    expect(parseMoney('1,150,000.00').toFixed(2)).toBe('1150000.00');
    expect(() => parseMoney('12abc')).toThrow(MoneyError);
    expect(() => parseMoney(Number.NaN)).toThrow(/finite/);
  });

  it('rounds half-up to the fen at the .005 edge, also for negatives (away from zero)', () => {
    expect(roundFen(parseMoney('1.005')).toFixed(2)).toBe('1.01');
    expect(roundFen(parseMoney('1.00499999')).toFixed(2)).toBe('1.00');
    expect(roundFen(parseMoney('2.675')).toFixed(2)).toBe('2.68'); // 2.675 in binary floats would give 2.67
    expect(roundFen(parseMoney('-1.005')).toFixed(2)).toBe('-1.01');
  });

  it('rounds payment scores half-up to the configured decimals', () => {
    expect(roundScore('1.2345', 3).toString()).toBe('1.235');
    expect(roundScore(1.2344999, 3).toString()).toBe('1.234');
    expect(roundScore('0.9995', 3).toFixed(3)).toBe('1.000');
  });

  it('formats with thousands separators', () => {
    expect(formatMoney(parseMoney('1150000'))).toBe('1,150,000.00');
    expect(formatMoney(parseMoney('999.994'))).toBe('999.99');
    expect(formatMoney(parseMoney('-1234.5'))).toBe('-1,234.50');
    expect(formatMoney(parseMoney('0'))).toBe('0.00');
    expect(formatMoney(parseMoney('-0.001'))).toBe('0.00');
  });

  it('prorates by whole months only', () => {
    expect(roundFen(prorateByMonths(parseMoney('1000'), 7)).toFixed(2)).toBe('583.33');
    expect(() => prorateByMonths(parseMoney('1000'), 6.5)).toThrow(/whole number/);
    expect(() => prorateByMonths(parseMoney('1000'), 13)).toThrow(MoneyError);
  });

  it('multiplies by a rate exactly (0.7 is 7/10, not the nearest double)', () => {
    expect(multiplyByRate(parseMoney('0.05'), 0.7).toFixed(2)).toBe('0.04'); // 0.035 -> 0.04
    expect(fenString(multiplyByRate(parseMoney('100000.00'), 0.7))).toBe('70000.00');
  });

  it('a total is the sum of its rounded lines (not the rounded sum)', () => {
    const lines = [parseMoney('0.004'), parseMoney('0.004'), parseMoney('0.004')].map(roundFen);
    expect(sumMoney(lines).toFixed(2)).toBe('0.00');
    expect(roundFen(sumMoney([parseMoney('0.004'), parseMoney('0.004'), parseMoney('0.004')])).toFixed(2)).toBe('0.01');
  });

  it('fen conversion round-trips and refuses sub-fen amounts', () => {
    expect(toFen(parseMoney('1234.56'))).toBe(123456n);
    expect(fromFen(123456n).toFixed(2)).toBe('1234.56');
    expect(() => toFen(parseMoney('0.001'))).toThrow(MoneyError);
  });

  it('property: a split by share always adds back to the amount exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.integer({ min: 0, max: 1000 }), (fen, permille) => {
        const amount = fromFen(fen);
        const { share, rest } = splitByShare(amount, permille / 1000);
        expect(share.plus(rest).equals(amount)).toBe(true);
        expect(share.decimalPlaces()).toBeLessThanOrEqual(2);
      }),
    );
  });
});
