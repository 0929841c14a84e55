import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy } from '../../src/config/policy.ts';
import { allocateRiskReserve, settleRiskReserve } from '../../src/settlement/risk-reserve.ts';
import { settleInstitution } from '../../src/settlement/statement.ts';
import { fenOf, fenText } from '../../src/settlement/aggregate.ts';
import { SettlementError } from '../../src/settlement/errors.ts';
import { member, workedExampleMembers } from './fixtures.ts';

const policy = defaultPolicy().settlement;

describe('risk reserve', () => {
  it('holds back 5% of capitation spending and pays fund shares from it first', () => {
    const a = allocateRiskReserve('10000000.00', [
      { institutionId: 'A', fundOverspendShare: '108000.00' },
      { institutionId: 'B', fundOverspendShare: '0.00' },
    ], policy);
    expect(a.held.amount).toBe('500000.00');
    expect(a.used.amount).toBe('108000.00');
    expect(a.left.amount).toBe('392000.00');
    expect(a.beyondReserve.amount).toBe('0.00');
    expect(a.draws.map((d) => d.fromReserve)).toEqual(['108000.00', '0.00']);
  });

  it('when shares exceed the reserve, spreads it in proportion with whole fen adding up exactly', () => {
    const a = allocateRiskReserve('20.00', [
      { institutionId: 'C', fundOverspendShare: '1.00' },
      { institutionId: 'A', fundOverspendShare: '1.00' },
      { institutionId: 'B', fundOverspendShare: '1.00' },
    ], policy);
    expect(a.held.amount).toBe('1.00');
    expect(a.used.amount).toBe('1.00');
    expect(a.left.amount).toBe('0.00');
    expect(a.beyondReserve.amount).toBe('2.00');
    // 100 fen over three: 34 / 33 / 33, the extra fen to the first by id
    expect(a.draws.map((d) => [d.institutionId, d.fromReserve, d.beyondReserve])).toEqual([
      ['A', '0.34', '0.66'],
      ['B', '0.33', '0.67'],
      ['C', '0.33', '0.67'],
    ]);
    expect(() => allocateRiskReserve('1', [{ institutionId: 'A', fundOverspendShare: '0.00' }, { institutionId: 'A', fundOverspendShare: '0.00' }], policy)).toThrow(SettlementError);
  });

  it('property: draws add up to what is used, never exceed a share, and ignore input order', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 8 }), (spending, shares) => {
        const input = shares.map((s, i) => ({ institutionId: `I${i}`, fundOverspendShare: fenText(s) }));
        const a = allocateRiskReserve(fenText(spending), input, policy);
        const drawn = a.draws.reduce((s, d) => s + fenOf(d.fromReserve), 0n);
        expect(drawn).toBe(fenOf(a.used.amount));
        a.draws.forEach((d) => expect(fenOf(d.fromReserve) <= fenOf(d.fundOverspendShare)).toBe(true));
        expect(allocateRiskReserve(fenText(spending), [...input].reverse(), policy)).toEqual(a);
      }),
    );
  });

  it('attaches reserve used and left to each statement of the year', () => {
    const over = settleInstitution(workedExampleMembers(), { institutionId: 'A', year: 2025 }, policy).statement;
    const under = settleInstitution([member('x', { actualClaims: '10.00' })], { institutionId: 'B', year: 2025 }, policy).statement;
    const { allocation, statements } = settleRiskReserve([over, under], policy);
    // spending = 1,000,000 + 900 + 1,000 + 300 -> 5% = 50,110.00, less than the fund's 108,000.00
    expect(allocation.held.amount).toBe('50110.00');
    expect(statements[0]!.riskReserve).toEqual({ held: '50110.00', used: '50110.00', left: '0.00', fromReserveForThisInstitution: '50110.00', beyondReserveForThisInstitution: '57890.00' });
    expect(statements[1]!.riskReserve.fromReserveForThisInstitution).toBe('0.00');
  });
});
