import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { issueP4PStatements, toSettlementLines, withAcceptedAppeal } from '../../src/performance/p4p/statement.ts';
import type { P4PStatement } from '../../src/performance/p4p/statement.ts';
import { P4PError } from '../../src/performance/p4p/errors.ts';
import { sealStatement, verifyStatementChain } from '../../src/settlement/statement-chain.ts';
import type { SealedStatement } from '../../src/settlement/statement-chain.ts';
import { settleInstitution } from '../../src/settlement/statement.ts';
import { workedExampleMembers } from '../settlement/fixtures.ts';
import { institution, WORKED_RATES } from './fixtures.ts';

const policy = defaultPolicy();
const context = { year: 2025, issuedOn: '2026-01-07', capitationSpending: '100000000.00' };

describe('P4P statements', () => {
  it('issues the worked example with every figure traceable', () => {
    const [s] = issueP4PStatements([institution('CHC-01', WORKED_RATES)], context, policy.p4p);
    expect(s!.statementId).toBe('P4P/CHC-01/2025/r1');
    expect(s!.composite).toEqual({ value: '0.550000', exact: '11/20', previous: null, improved: false });
    expect(s!.indicators.map((i) => [i.id, i.score, i.weightUsed])).toEqual([
      ['O1', '0.800000', '0.300000'],
      ['O2', '0.333333', '0.300000'],
      ['P1', '0.750000', '0.200000'],
      ['P2', '0.300000', '0.200000'],
    ]);
    expect(s!.bonus.perPerson).toBe('65.00');
    expect(s!.bonus.amount.amount).toBe('130000.00');
    expect(s!.bonus.amount.trace.inputs).toMatchObject({ scaled: false, cap: '2000000.00' });
    expect(s!.deduction.amount.amount).toBe('0.00');
    expect(s!.appealDeadline).toBe('2026-01-14');
    expect(toSettlementLines(s!)).toEqual({ p4pStatementId: 'P4P/CHC-01/2025/r1', bonus: '130000.00', deduction: '0.00', nextYearCoefficient: 1 });
  });

  it('applies the cap over all institutions and the ranking within each level', () => {
    const inputs = [institution('A', WORKED_RATES), institution('B', { O1: 0.55, O2: 0.65, P1: 0.8, P2: 0.8 }), ...['C', 'D', 'E'].map((id) => institution(id, { O1: 0.3, O2: 0.4, P1: 0.5, P2: 0.5 }))];
    // bonuses before cap: A 130,000.00; B 2,000 x 200 = 400,000.00; cap 2% of 20,000,000.00 = 400,000.00
    const statements = issueP4PStatements(inputs, { ...context, capitationSpending: '20000000.00' }, policy.p4p);
    expect(statements.map((s) => s.bonus.beforeCap.amount).slice(0, 2)).toEqual(['130000.00', '400000.00']);
    expect(statements[0]!.bonus.cap).toEqual({ cap: '400000.00', totalBeforeCap: '530000.00', scaled: true });
    const after = statements.map((s) => BigInt(s.bonus.amount.amount.replace('.', '')));
    expect(after.reduce((a, b) => a + b, 0n)).toBe(40_000_000n);
    expect(statements[0]!.bonus.amount.amount).toBe('98113.21'); // 130,000 x 400/530 = 98,113.207..
    expect(statements[1]!.bonus.amount.amount).toBe('301886.79');
    // 5 institutions: 1 top (B), 0 bottom
    expect(statements.map((s) => s.ranking.nextYearCoefficient)).toEqual([1, 1.05, 1, 1, 1]);
  });

  it('a late appeal is refused; an accepted one supersedes the statement, waives the deduction, and both stay on record', () => {
    const poor = institution('P', { O1: 0.3, O2: 0.35, P1: 0.4, P2: 0.45 }, { previousComposite: '0.1' });
    const [first] = issueP4PStatements([poor], context, policy.p4p);
    expect(first!.deduction).toMatchObject({ applies: true, share: 0.1, waived: false });
    expect(first!.deduction.amount.amount).toBe('100000.00');

    expect(() => withAcceptedAppeal(poor, first!, { filedOn: '2026-01-15', decidedOn: '2026-01-20', waivesDeduction: true, reason: 'flood' }, policy.p4p)).toThrow(P4PError);
    const appealed = withAcceptedAppeal(poor, first!, { filedOn: '2026-01-14', decidedOn: '2026-01-21', waivesDeduction: true, reason: 'clinic closed by flood for 3 months' }, policy.p4p);
    const [second] = issueP4PStatements([appealed], { ...context, issuedOn: '2026-01-21' }, policy.p4p);
    expect(second!.statementId).toBe('P4P/P/2025/r2');
    expect(second!.supersedes).toBe('P4P/P/2025/r1');
    expect(second!.deduction).toMatchObject({ applies: true, waived: true });
    expect(second!.deduction.amount.amount).toBe('0.00');
    expect(second!.deduction.amount.trace.rule).toBe('p4p.deduction.waived');

    const chain: SealedStatement<P4PStatement>[] = [];
    chain.push(sealStatement(chain, first!));
    chain.push(sealStatement(chain, second!, chain[0]));
    const ids = { idOf: (s: P4PStatement) => s.statementId, supersedesIdOf: (s: P4PStatement) => s.supersedes };
    expect(verifyStatementChain(chain, ids).valid).toBe(true);
    const tampered = structuredClone(chain);
    tampered[1]!.statement.deduction.amount.amount = '1.00';
    expect(verifyStatementChain(tampered, ids).problems.map((p) => p.code)).toEqual(['HASH_MISMATCH']);
  });

  it('feeds the settlement statement its P4P lines', () => {
    const [p4p] = issueP4PStatements([institution('CHC-01', WORKED_RATES)], context, policy.p4p);
    const { statement } = settleInstitution(workedExampleMembers(), { institutionId: 'CHC-01', year: 2025, p4p: toSettlementLines(p4p!) }, policy.settlement);
    expect(statement.p4p!.bonus.amount).toBe('130000.00');
    expect(statement.p4p!.bonus.trace.inputs.p4pStatementId).toBe('P4P/CHC-01/2025/r1');
  });

  it('is reproducible and refuses duplicates and missing ranking criteria', () => {
    const inputs = [institution('A', WORKED_RATES), institution('B', { O1: 0.4, O2: 0.5, P1: 0.6, P2: 0.7 })];
    expect(JSON.stringify(issueP4PStatements(inputs, context, policy.p4p))).toBe(JSON.stringify(issueP4PStatements(inputs, context, policy.p4p)));
    expect(() => issueP4PStatements([inputs[0]!, inputs[0]!], context, policy.p4p)).toThrow(/twice/);
    const missing = { ...inputs[0]!, indicators: inputs[0]!.indicators.filter((i) => i.id !== 'P2') };
    expect(() => issueP4PStatements([missing], context, policy.p4p)).toThrow(/ranking needs indicator P2/);
  });
});
