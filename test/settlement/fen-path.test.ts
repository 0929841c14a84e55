import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy, RISK_CLASSES } from '../../src/config/policy.ts';
import { aggregateColumns, medicalFen, packageFen, prepareMemberColumns, roundHalfUpDiv } from '../../src/settlement/fen-path.ts';
import { aggregateMemberLines, fenOf } from '../../src/settlement/aggregate.ts';
import { memberCapitationLine } from '../../src/settlement/member-lines.ts';
import { settleInstitution, settlementStatementFromAggregates } from '../../src/settlement/statement.ts';
import { SettlementError } from '../../src/settlement/errors.ts';
import { member, workedExampleMembers } from './fixtures.ts';

const policy = defaultPolicy().settlement;

describe('integer-fen fast path', () => {
  it('roundHalfUpDiv rounds half-up exactly, even where the float quotient is off', () => {
    expect(roundHalfUpDiv(5, 10)).toBe(1);
    expect(roundHalfUpDiv(4, 10)).toBe(0);
    expect(roundHalfUpDiv(15, 10)).toBe(2);
    expect(roundHalfUpDiv(0, 7)).toBe(0);
    // Near 2^53 the float quotient rounds; the remainder correction keeps the integer answer.
    const big = Number.MAX_SAFE_INTEGER; // 9007199254740991 = 3 x 3002399751580330 + 1
    expect(roundHalfUpDiv(big, 3)).toBe(3002399751580330);
    expect(roundHalfUpDiv(big - 1, 2)).toBe(4503599627370495);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (n, d) => {
        const expected = (2n * n + d) / (2n * d);
        expect(BigInt(roundHalfUpDiv(Number(n), Number(d)))).toBe(expected);
      }),
    );
  });

  it('matches the decimal.js path line by line and in the statement (property)', () => {
    const memberArb = fc.record({
      riskClass: fc.constantFrom(...RISK_CLASSES),
      baseFen: fc.integer({ min: 0, max: 100_000_000 }),
      score: fc.integer({ min: 0, max: 9_999_999 }),
      months: fc.integer({ min: 0, max: 12 }),
      claimsFen: fc.integer({ min: 0, max: 200_000_000 }),
      rateFen: fc.integer({ min: 0, max: 100_000 }),
      required: fc.integer({ min: 0, max: 12 }),
      delivered: fc.integer({ min: 0, max: 15 }),
    });
    fc.assert(
      fc.property(fc.array(memberArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (rows, justified) => {
        const members = rows.map((r, i) =>
          member(`m${i}`, {
            riskClass: r.riskClass,
            baseStandard: (r.baseFen / 100).toFixed(2),
            paymentScore: (r.score / 1_000_000).toFixed(6), // six digits: rounding to 3 happens in both paths
            enrolledMonths: r.months,
            actualClaims: (r.claimsFen / 100).toFixed(2),
            managementPackage: { rate: (r.rateFen / 100).toFixed(2), requiredServices: r.required, deliveredServices: r.delivered },
          }),
        );
        const columns = prepareMemberColumns(members, policy);
        members.forEach((m, i) => {
          const line = memberCapitationLine(m, policy);
          expect(BigInt(medicalFen(columns, i))).toBe(fenOf(line.medical));
          expect(BigInt(packageFen(columns, i))).toBe(fenOf(line.managementPackage));
        });
        const ctx = { institutionId: 'X', year: 2025, overspendJustified: justified };
        const fast = settlementStatementFromAggregates(aggregateColumns(columns), ctx, policy);
        expect(fast).toEqual(settleInstitution(members, ctx, policy).statement);
      }),
      { numRuns: 80 },
    );
  });

  it('settles the worked example identically and aggregates a row range', () => {
    const members = workedExampleMembers();
    const columns = prepareMemberColumns(members, policy);
    expect(aggregateColumns(columns)).toEqual(aggregateMemberLines(members.map((m) => memberCapitationLine(m, policy))));
    expect(aggregateColumns(columns, 2, 3).medicalBudgetFen).toBe(85_000_000n);
  });

  it('refuses inputs it cannot handle exactly', () => {
    expect(() => prepareMemberColumns([member('m', { baseStandard: '10.001' })], policy)).toThrow(/whole fen/);
    const columns = prepareMemberColumns([member('m', { baseStandard: '90000000000.00', paymentScore: '9.999' })], policy);
    expect(() => aggregateColumns(columns)).toThrow(SettlementError);
  });
});
