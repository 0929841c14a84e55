import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy } from '../../src/config/policy.ts';
import { fromFen, parseMoney } from '../../src/lib/money.ts';
import { shareOverspend } from '../../src/settlement/overspend.ts';
import { SettlementError } from '../../src/settlement/errors.ts';

const policy = defaultPolicy().settlement;
const share = (budget: string, actual: string, severe = '0', justified = false) =>
  shareOverspend({ budget: parseMoney(budget), actual: parseMoney(actual), severeOverspend: parseMoney(severe), justified }, policy);

describe('overspend sharing (DOMAIN.md "Settlement of the budget")', () => {
  it('reproduces the worked example exactly', () => {
    const s = share('1000000.00', '1150000.00', '20000.00');
    expect(s.total.amount).toBe('150000.00');
    expect([s.severe.fund.amount, s.severe.institution.amount]).toEqual(['14000.00', '6000.00']);
    expect(s.bands.map((b) => [b.amountInBand.amount, b.fund.amount, b.institution.amount])).toEqual([
      ['100000.00', '70000.00', '30000.00'],
      ['30000.00', '24000.00', '6000.00'],
      ['0.00', '0.00', '0.00'],
    ]);
    expect(s.fundTotal.amount).toBe('108000.00');
    expect(s.institutionTotal.amount).toBe('42000.00');
  });

  it('exactly 10% stays in the first band; one fen more enters the second', () => {
    const at = share('1000000.00', '1100000.00');
    expect(at.bands.map((b) => b.amountInBand.amount)).toEqual(['100000.00', '0.00', '0.00']);
    expect(at.fundTotal.amount).toBe('70000.00');
    const above = share('1000000.00', '1100000.01');
    expect(above.bands.map((b) => b.amountInBand.amount)).toEqual(['100000.00', '0.01', '0.00']);
    expect(above.bands[1]!.fund.amount).toBe('0.01'); // 0.008 rounds half-up to 0.01
    expect(above.bands[1]!.institution.amount).toBe('0.00');
  });

  it('exactly 20% fills the second band; beyond it the institution bears it alone', () => {
    const at = share('1000000.00', '1200000.00');
    expect(at.bands.map((b) => b.amountInBand.amount)).toEqual(['100000.00', '100000.00', '0.00']);
    expect(at.fundTotal.amount).toBe('150000.00');
    const above = share('1000000.00', '1200000.01');
    expect(above.bands[2]!.amountInBand.amount).toBe('0.01');
    expect(above.bands[2]!.fund.amount).toBe('0.00');
    expect(above.institutionTotal.amount).toBe('50000.01');
    const far = share('1000000.00', '1500000.00');
    expect(far.bands[2]!.institution.amount).toBe('300000.00');
    expect(far.fundTotal.amount).toBe('150000.00');
  });

  it('a justified overspend shares the last band 80/20', () => {
    const s = share('1000000.00', '1500000.00', '0', true);
    expect(s.bands[2]!.justifiedApplied).toBe(true);
    expect(s.bands[2]!.fund.amount).toBe('240000.00');
    expect(s.bands[2]!.institution.amount).toBe('60000.00');
    // the justified flag changes only bands that carry a justified share
    expect(s.bands[0]!.fundShare).toBe(0.7);
    expect(s.fundTotal.amount).toBe('390000.00');
  });

  it('caps the severe-patient overspend at the total overspend', () => {
    const s = share('1000000.00', '1050000.00', '80000.00');
    expect(s.severe.uncapped).toBe('80000.00');
    expect(s.severe.amount.amount).toBe('50000.00');
    expect(s.severe.fund.amount).toBe('35000.00');
    expect(s.bands.every((b) => b.amountInBand.amount === '0.00')).toBe(true);
    expect(s.fundTotal.amount).toBe('35000.00');
  });

  it('bands are measured on the rest after step 1, starting at zero', () => {
    const s = share('1000.00', '1250.00', '100.00');
    expect(s.bands.map((b) => b.amountInBand.amount)).toEqual(['100.00', '50.00', '0.00']);
  });

  it('a zero budget puts everything in the last band', () => {
    const s = share('0.00', '10.00');
    expect(s.bands.map((b) => b.amountInBand.amount)).toEqual(['0.00', '0.00', '10.00']);
    expect(s.institutionTotal.amount).toBe('10.00');
  });

  it('refuses bands that do not end unbounded, and a non-overspend', () => {
    const bounded = { ...policy, overspendBands: [{ upTo: 0.1, fundShare: 0.7 }] };
    expect(() => shareOverspend({ budget: parseMoney(100), actual: parseMoney(200), severeOverspend: parseMoney(0), justified: false }, bounded)).toThrow(SettlementError);
    expect(() => share('100.00', '100.00')).toThrow(/no overspend/);
  });

  it('property: fund share + institution share = overspend exactly, and the same input gives the same output', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.bigInt({ min: 1n, max: 10n ** 11n }),
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.boolean(),
        (budgetFen, overFen, severeFen, justified) => {
          const input = { budget: fromFen(budgetFen), actual: fromFen(budgetFen + overFen), severeOverspend: fromFen(severeFen), justified };
          const s = shareOverspend(input, policy);
          expect(parseMoney(s.fundTotal.amount).plus(parseMoney(s.institutionTotal.amount)).equals(fromFen(overFen))).toBe(true);
          const bandSum = s.bands.reduce((acc, b) => acc.plus(parseMoney(b.amountInBand.amount)), parseMoney(s.severe.amount.amount));
          expect(bandSum.equals(fromFen(overFen))).toBe(true);
          expect(JSON.stringify(shareOverspend(input, policy))).toBe(JSON.stringify(s));
        },
      ),
    );
  });
});
