/**
 * A tamper-evident record of issued statements: each sealed statement stores the hash of the
 * one sealed before it, and its own hash is SHA-256 over the canonical JSON of the statement and
 * those links. Changing any figure, reordering, or dropping a record breaks verification. A
 * statement issued after an accepted appeal names the hash of the one it supersedes; both stay on
 * record (DOMAIN.md "The P4P formula": appeals; "Stratum issues the capitation settlement
 * statement of record").
 */
import { canonicalJson as sharedCanonicalJson, sha256Hex } from '../lib/canonical-json.ts';
import { SettlementError } from './errors.ts';

/** Canonical JSON of a statement; what it refuses is a SettlementError (CANONICAL_JSON_UNSUPPORTED). */
export function canonicalJson(value: unknown): string {
  return sharedCanonicalJson(value, (message) => new SettlementError('CANONICAL_JSON_UNSUPPORTED', message));
}

export { sha256Hex };

/** A statement as stored in the chain. */
export interface SealedStatement<T> {
  statement: T;
  /** Hash of the previously sealed statement, null for the first. */
  previousHash: string | null;
  /** Hash of the statement this one supersedes (after an accepted appeal), or null. */
  supersedesHash: string | null;
  /** SHA-256 of canonicalJson({ statement, previousHash, supersedesHash }). */
  hash: string;
}

function hashOf<T>(statement: T, previousHash: string | null, supersedesHash: string | null): string {
  return sha256Hex(canonicalJson({ statement, previousHash, supersedesHash }));
}

/** Append a statement to a chain (returns the new record; the chain itself is not mutated). */
export function sealStatement<T>(chain: readonly SealedStatement<T>[], statement: T, supersedes?: SealedStatement<T>): SealedStatement<T> {
  const previousHash = chain.length === 0 ? null : chain[chain.length - 1]!.hash;
  const supersedesHash = supersedes ? supersedes.hash : null;
  return { statement, previousHash, supersedesHash, hash: hashOf(statement, previousHash, supersedesHash) };
}

/** One thing wrong with a chain. */
export interface ChainProblem {
  index: number;
  code: 'HASH_MISMATCH' | 'BROKEN_LINK' | 'UNKNOWN_SUPERSEDED' | 'SUPERSEDES_MISMATCH';
  message: string;
}

/**
 * Verify a chain: every hash recomputes, every record links to the one before it, and every
 * superseded hash names an earlier record. When `supersedesIdOf` is given, the superseded
 * record's id must also be the id the statement body says it supersedes.
 */
export function verifyStatementChain<T>(
  chain: readonly SealedStatement<T>[],
  options: { idOf?: (s: T) => string; supersedesIdOf?: (s: T) => string | null } = {},
): { valid: boolean; problems: ChainProblem[] } {
  const problems: ChainProblem[] = [];
  const earlier = new Map<string, T>();
  chain.forEach((record, index) => {
    const expectedPrevious = index === 0 ? null : chain[index - 1]!.hash;
    if (record.previousHash !== expectedPrevious) problems.push({ index, code: 'BROKEN_LINK', message: `record ${index} does not link to the record before it` });
    let recomputed: string;
    try {
      recomputed = hashOf(record.statement, record.previousHash, record.supersedesHash);
    } catch {
      recomputed = '';
    }
    if (recomputed !== record.hash) problems.push({ index, code: 'HASH_MISMATCH', message: `record ${index} was changed after it was sealed` });
    if (record.supersedesHash !== null) {
      const superseded = earlier.get(record.supersedesHash);
      if (superseded === undefined) problems.push({ index, code: 'UNKNOWN_SUPERSEDED', message: `record ${index} supersedes a statement not earlier in the chain` });
      else if (options.idOf && options.supersedesIdOf && options.supersedesIdOf(record.statement) !== options.idOf(superseded))
        problems.push({ index, code: 'SUPERSEDES_MISMATCH', message: `record ${index} names a different superseded statement than its hash link` });
    }
    earlier.set(record.hash, record.statement);
  });
  return { valid: problems.length === 0, problems };
}
