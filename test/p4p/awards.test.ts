import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy } from '../../src/config/policy.ts';
import { awardBeforeCap, bonusPerPerson, capBonuses } from '../../src/performance/p4p/awards.ts';
import { Rational } from '../../src/performance/p4p/rational.ts';

const policy = defaultPolicy().p4p;
const award = (c: string | null, previous: string | null = null, waived = false) =>
  awardBeforeCap({ composite: c === null ? null : Rational.from(c), previousComposite: previous === null ? null : Rational.from(previous), servedPersons: 2000, capitationPayment: '1000000.00', deductionWaived: waived }, policy);

describe('bonus, improvement bonus and deduction', () => {
  it('worked example: C 0.55 -> 65 CNY per person, 2,000 persons -> 130,000.00', () => {
    const a = award('11/20');
    expect(a.kind).toBe('performance');
    expect(a.perPerson).toBe('65.00');
    expect(a.bonusFen).toBe(13_000_000n);
  });

  it('bonus per person runs from 50 at C = 0.5 to 200 at C = 1; just below 0.5 earns none', () => {
    expect(bonusPerPerson(Rational.from('0.5'), policy)).toBe(5000n);
    expect(bonusPerPerson(Rational.ONE, policy)).toBe(20000n);
    expect(bonusPerPerson(Rational.from('2/3'), policy)).toBe(10000n);
    expect(bonusPerPerson(Rational.from('0.50001'), policy)).toBe(5000n); // 50.003 -> 50.00
    expect(bonusPerPerson(Rational.from('0.50002'), policy)).toBe(5001n); // 50.006 -> 50.01
    expect(award('0.499999').kind).toBe('none');
  });

  it('improvement bonus: C below 0.5 that rose by 0.10 or more earns 50 per person', () => {
    expect(award('0.40', '0.30')).toMatchObject({ kind: 'improvement', perPerson: '50.00', bonusFen: 10_000_000n, improved: true });
    expect(award('0.40', '0.31')).toMatchObject({ kind: 'none', bonusFen: 0n, improved: false });
    expect(award('0.60', '0.10').kind).toBe('performance'); // the performance bonus takes precedence
  });

  it('deduction: 5% below 0.25 without improvement, 10% if also below 0.25 the year before', () => {
    expect(award('0.20').deduction).toEqual({ applies: true, share: 0.05, waived: false, fen: 5_000_000n });
    expect(award('0.20', '0.249').deduction).toEqual({ applies: true, share: 0.1, waived: false, fen: 10_000_000n });
    expect(award('0.20', '0.25').deduction.share).toBe(0.05);
    expect(award('0.25').deduction.applies).toBe(false);
    // improved by 0.10: no deduction, improvement bonus instead
    expect(award('0.20', '0.10')).toMatchObject({ kind: 'improvement', deduction: { applies: false, fen: 0n } });
    // waived by an accepted appeal: recorded, amount 0
    expect(award('0.20', null, true).deduction).toEqual({ applies: true, share: 0.05, waived: true, fen: 0n });
  });

  it('no composite: no bonus and no deduction', () => {
    expect(award(null)).toMatchObject({ kind: 'none', bonusFen: 0n, deduction: { applies: false } });
  });
});

describe('P4P budget cap', () => {
  it('leaves bonuses within 2% of capitation spending alone', () => {
    const cap = capBonuses([13_000_000n, 7_000_000n], '10000000.00', policy);
    expect(cap).toEqual({ cap: '200000.00', totalBeforeCap: '200000.00', scaled: false, bonusesFen: [13_000_000n, 7_000_000n] });
  });

  it('scales every bonus down in proportion above the cap, adding up to the cap exactly', () => {
    expect(capBonuses([13_000_000n, 7_000_000n], '5000000.00', policy).bonusesFen).toEqual([6_500_000n, 3_500_000n]);
    expect(capBonuses([100n, 100n, 100n], '50.00', policy).bonusesFen).toEqual([34n, 33n, 33n]);
  });

  it('property: capped bonuses never exceed the cap nor their own amount', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 10 }), fc.bigInt({ min: 0n, max: 10n ** 11n }), (bonuses, spendingFen) => {
        const spending = (Number(spendingFen) / 100).toFixed(2);
        const r = capBonuses(bonuses, spending, policy);
        const total = r.bonusesFen.reduce((s, b) => s + b, 0n);
        expect(total <= BigInt(r.cap.replace('.', '')) || !r.scaled).toBe(true);
        r.bonusesFen.forEach((b, i) => expect(b <= bonuses[i]!).toBe(true));
        if (r.scaled) expect(total).toBe(BigInt(r.cap.replace('.', '')));
      }),
    );
  });
});
