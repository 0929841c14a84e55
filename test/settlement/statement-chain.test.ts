import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/config/policy.ts';
import { canonicalJson, sealStatement, verifyStatementChain } from '../../src/settlement/statement-chain.ts';
import type { SealedStatement } from '../../src/settlement/statement-chain.ts';
import type { SettlementStatement } from '../../src/settlement/statement.ts';
import { settleInstitution } from '../../src/settlement/statement.ts';
import { SettlementError } from '../../src/settlement/errors.ts';
import { workedExampleMembers } from './fixtures.ts';

const policy = defaultPolicy().settlement;
const ids = { idOf: (s: SettlementStatement) => s.statementId, supersedesIdOf: (s: SettlementStatement) => s.supersedes };

function chainOfThree(): SealedStatement<SettlementStatement>[] {
  const chain: SealedStatement<SettlementStatement>[] = [];
  const first = settleInstitution(workedExampleMembers(), { institutionId: 'A', year: 2025 }, policy).statement;
  chain.push(sealStatement(chain, first));
  const other = settleInstitution(workedExampleMembers(), { institutionId: 'B', year: 2025 }, policy).statement;
  chain.push(sealStatement(chain, other));
  // Appeal accepted: the overspend is justified; a new revision supersedes r1, both stay on record.
  const revised = settleInstitution(workedExampleMembers(), { institutionId: 'A', year: 2025, overspendJustified: true, revision: 2, supersedes: first.statementId }, policy).statement;
  chain.push(sealStatement(chain, revised, chain[0]));
  return chain;
}

describe('statement hash chain', () => {
  it('canonical JSON sorts keys and refuses what JSON would change', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: 0 })).toBe(canonicalJson({ a: 0, b: { c: 2, d: 1 } }));
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(SettlementError);
    expect(() => canonicalJson({ x: new Date(0) })).toThrow(/plain objects/);
    expect(() => canonicalJson([undefined])).toThrow(SettlementError);
  });

  it('a sealed chain verifies, links each record to the previous hash, and is reproducible', () => {
    const chain = chainOfThree();
    expect(chain[0]!.previousHash).toBeNull();
    expect(chain[1]!.previousHash).toBe(chain[0]!.hash);
    expect(chain[2]!.supersedesHash).toBe(chain[0]!.hash);
    expect(chain[2]!.statement.supersedes).toBe('A/2025/r1');
    expect(verifyStatementChain(chain, ids)).toEqual({ valid: true, problems: [] });
    expect(chainOfThree().map((r) => r.hash)).toEqual(chain.map((r) => r.hash));
    expect(chain[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('detects a changed figure', () => {
    const chain = chainOfThree();
    const tampered = structuredClone(chain);
    tampered[1]!.statement.overspend!.fundTotal.amount = '108000.01';
    const result = verifyStatementChain(tampered, ids);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ index: 1, code: 'HASH_MISMATCH' })]);
  });

  it('detects a re-sealed record (the next link breaks), a dropped record and a reorder', () => {
    const chain = chainOfThree();
    const resealed = structuredClone(chain);
    resealed[0]!.statement.netPayable.amount = '1.00';
    resealed[0] = sealStatement([], resealed[0]!.statement);
    expect(verifyStatementChain(resealed).problems.map((p) => [p.index, p.code])).toEqual([[1, 'BROKEN_LINK'], [2, 'UNKNOWN_SUPERSEDED']]);
    expect(verifyStatementChain([chain[0]!, chain[2]!]).problems.map((p) => p.code)).toEqual(['BROKEN_LINK']);
    expect(verifyStatementChain([chain[1]!, chain[0]!, chain[2]!]).valid).toBe(false);
  });

  it('detects a superseding statement that names a different statement than its hash link', () => {
    const chain = chainOfThree();
    const wrong = [...chain.slice(0, 2)];
    const revised = { ...chain[2]!.statement, supersedes: 'B/2025/r1' };
    wrong.push(sealStatement(wrong, revised, chain[0]));
    expect(verifyStatementChain(wrong, ids).problems.map((p) => p.code)).toEqual(['SUPERSEDES_MISMATCH']);
  });
});
