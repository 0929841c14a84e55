import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPolicy, RISK_CLASSES } from '../../src/config/policy.ts';
import { parseMoney } from '../../src/lib/money.ts';
import { memberCapitationLine, deliveryRatio } from '../../src/settlement/member-lines.ts';
import { settleInstitution } from '../../src/settlement/statement.ts';
import { fenOf } from '../../src/settlement/aggregate.ts';
import { SettlementError } from '../../src/settlement/errors.ts';
import { member, workedExampleMembers } from './fixtures.ts';

const policy = defaultPolicy().settlement;
const ctx = { institutionId: 'CHC-01', year: 2025 };

describe('member capitation lines', () => {
  it('medical part = base x score (rounded to 3 dp first) x months / 12, rounded half-up to the fen', () => {
    // score 1.23456 -> 1.235; 1000 x 1.235 x 7 / 12 = 720.41666.. -> 720.42
    const line = memberCapitationLine(member('m', { paymentScore: 1.23456, enrolledMonths: 7 }), policy);
    expect(line.paymentScore).toBe('1.235');
    expect(line.medical).toBe('720.42');
    // Rounding the score first matters: with the raw score it would be 720.16.
    expect(parseMoney('1000').times('1.23456').times(7).div(12).toFixed(2)).toBe('720.16');
  });

  it('rounds the line half-up at the .005 fen edge', () => {
    // 0.01 x 1.000 x 6 / 12 = 0.005 -> 0.01 ; 0.03 x 1 x 2 / 12 = 0.005 -> 0.01; 0.01 x 1 x 5/12 = 0.00416 -> 0.00
    expect(memberCapitationLine(member('a', { baseStandard: '0.01', enrolledMonths: 6 }), policy).medical).toBe('0.01');
    expect(memberCapitationLine(member('b', { baseStandard: '0.03', enrolledMonths: 2 }), policy).medical).toBe('0.01');
    expect(memberCapitationLine(member('c', { baseStandard: '0.01', enrolledMonths: 5 }), policy).medical).toBe('0.00');
    expect(memberCapitationLine(member('d', { baseStandard: '100.01', enrolledMonths: 6 }), policy).medical).toBe('50.01'); // 50.005
  });

  it('prorates by whole enrolled months (0 and 12 included) and refuses part months', () => {
    expect(memberCapitationLine(member('m', { enrolledMonths: 0 }), policy).medical).toBe('0.00');
    expect(memberCapitationLine(member('m', { enrolledMonths: 12 }), policy).medical).toBe('1000.00');
    expect(memberCapitationLine(member('m', { enrolledMonths: 1 }), policy).medical).toBe('83.33');
    expect(() => memberCapitationLine(member('m', { enrolledMonths: 3.5 }), policy)).toThrow(SettlementError);
  });

  it('package = rate x months / 12 x min(1, delivered / required)', () => {
    const pkg = (required: number, delivered: number, months = 12) =>
      memberCapitationLine(member('m', { enrolledMonths: months, managementPackage: { rate: '120.00', requiredServices: required, deliveredServices: delivered } }), policy).managementPackage;
    expect(pkg(4, 0)).toBe('0.00');
    expect(pkg(4, 3)).toBe('90.00');
    expect(pkg(3, 1)).toBe('40.00');
    expect(pkg(4, 9)).toBe('120.00'); // over-delivery capped at 1
    expect(pkg(4, 4, 6)).toBe('60.00');
    expect(pkg(3, 2, 7)).toBe('46.67'); // 120 x 7/12 x 2/3 = 46.666..
    expect(pkg(0, 0)).toBe('120.00'); // nothing required: nothing undelivered
    // exact half fen with a 1/3 delivery ratio: 0.57 x 6/12 x 1/3 = 0.095 -> 0.10 (found by the fen-path property test)
    const third = memberCapitationLine(member('m', { enrolledMonths: 6, managementPackage: { rate: '0.57', requiredServices: 3, deliveredServices: 1 } }), policy);
    expect(third.managementPackage).toBe('0.10');
    expect(deliveryRatio(4, 9).toString()).toBe('1');
    expect(() => pkg(-1, 0)).toThrow(/required services/);
  });

  it('refuses negative money and unknown classes with a typed error', () => {
    expect(() => memberCapitationLine(member('m', { actualClaims: '-1' }), policy)).toThrow(SettlementError);
    expect(() => memberCapitationLine(member('m', { baseStandard: 'abc' }), policy)).toThrow(/member m/);
    expect(() => memberCapitationLine(member('m', { riskClass: 'unknown' as never }), policy)).toThrow(/risk class/);
  });
});

describe('institution statement', () => {
  it('settles the worked example from member lines', () => {
    const { statement } = settleInstitution(workedExampleMembers(), ctx, policy);
    expect(statement.medicalBudget.amount).toBe('1000000.00');
    expect(statement.actualClaims.amount).toBe('1150000.00');
    expect(statement.outcome).toBe('overspend');
    const o = statement.overspend!;
    expect(o.severe.amount.amount).toBe('20000.00');
    expect(o.severe.amount.trace.members).toEqual([{ memberId: 'severe-1', amount: '20000.00' }]);
    expect(o.fundTotal.amount).toBe('108000.00');
    expect(o.institutionTotal.amount).toBe('42000.00');
    // net = budget + packages (3 x 300) + fund share
    expect(statement.managementPackage.amount).toBe('900.00');
    expect(statement.netPayable.amount).toBe('1108900.00');
    expect(statement.statementId).toBe('CHC-01/2025/r1');
    expect(statement.savings).toBeNull();
  });

  it('records savings kept and their internal split', () => {
    const { statement } = settleInstitution([member('a', { actualClaims: '600.01' }), member('b', { actualClaims: '300.00' })], ctx, policy);
    expect(statement.outcome).toBe('savings');
    expect(statement.savings!.kept.amount).toBe('1099.99');
    expect(statement.savings!.staffRewards.amount).toBe('550.00'); // 549.995 half-up
    expect(statement.savings!.development.amount).toBe('549.99');
    expect(statement.overspend).toBeNull();
    expect(statement.netPayable.amount).toBe('2600.00');
  });

  it('a balanced year has neither savings nor overspend', () => {
    const { statement } = settleInstitution([member('a', { actualClaims: '1000.00' })], ctx, policy);
    expect(statement.outcome).toBe('balanced');
    expect(statement.savings).toBeNull();
    expect(statement.overspend).toBeNull();
  });

  it('applies the justified flag from the bureau', () => {
    const members = [member('a', { baseStandard: '1000.00', actualClaims: '1500.00' })];
    expect(settleInstitution(members, ctx, policy).statement.overspend!.fundTotal.amount).toBe('150.00');
    expect(settleInstitution(members, { ...ctx, overspendJustified: true }, policy).statement.overspend!.fundTotal.amount).toBe('390.00');
  });

  it('carries P4P lines into the net amount', () => {
    const p4p = { p4pStatementId: 'P4P/CHC-01/2025/r1', bonus: '130000.00', deduction: '0.00', nextYearCoefficient: 1.05 };
    const { statement } = settleInstitution(workedExampleMembers(), { ...ctx, p4p }, policy);
    expect(statement.p4p!.bonus.amount).toBe('130000.00');
    expect(statement.p4p!.nextYearCoefficient.value).toBe(1.05);
    expect(statement.netPayable.amount).toBe('1238900.00');
    const withDeduction = settleInstitution(workedExampleMembers(), { ...ctx, p4p: { ...p4p, bonus: '0', deduction: '5000.50' } }, policy).statement;
    expect(withDeduction.netPayable.amount).toBe('1103899.50');
  });

  it('property: totals equal the sum of the rounded member lines, and settling twice gives identical output', () => {
    const memberArb = fc.record({
      riskClass: fc.constantFrom(...RISK_CLASSES),
      baseFen: fc.integer({ min: 0, max: 10_000_000 }),
      scoreMilli: fc.integer({ min: 0, max: 5000 }),
      extraDigits: fc.integer({ min: 0, max: 999 }),
      months: fc.integer({ min: 0, max: 12 }),
      claimsFen: fc.integer({ min: 0, max: 20_000_000 }),
      required: fc.integer({ min: 0, max: 8 }),
      delivered: fc.integer({ min: 0, max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(memberArb, { minLength: 1, maxLength: 25 }), (rows) => {
        const members = rows.map((r, i) =>
          member(`m${i}`, {
            riskClass: r.riskClass,
            baseStandard: (r.baseFen / 100).toFixed(2),
            paymentScore: `${(r.scoreMilli / 1000).toFixed(3)}${String(r.extraDigits).padStart(3, '0')}`,
            enrolledMonths: r.months,
            actualClaims: (r.claimsFen / 100).toFixed(2),
            managementPackage: { rate: '120.00', requiredServices: r.required, deliveredServices: r.delivered },
          }),
        );
        const { statement, memberLines } = settleInstitution(members, ctx, policy);
        const sum = (f: (l: (typeof memberLines)[number]) => string) => memberLines.reduce((s, l) => s + fenOf(f(l)), 0n);
        expect(fenOf(statement.medicalBudget.amount)).toBe(sum((l) => l.medical));
        expect(fenOf(statement.managementPackage.amount)).toBe(sum((l) => l.managementPackage));
        expect(fenOf(statement.actualClaims.amount)).toBe(sum((l) => l.actualClaims));
        if (statement.overspend) {
          const over = fenOf(statement.actualClaims.amount) - fenOf(statement.medicalBudget.amount);
          expect(fenOf(statement.overspend.fundTotal.amount) + fenOf(statement.overspend.institutionTotal.amount)).toBe(over);
        }
        expect(JSON.stringify(settleInstitution(members, ctx, policy).statement)).toBe(JSON.stringify(statement));
      }),
      { numRuns: 60 },
    );
  });
});
