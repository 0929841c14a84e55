import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy } from '../../src/config/policy.ts';
import { inputFingerprint, policyFingerprint } from '../../src/scoring/score-member.ts';
import { sampleRecord } from '../features/record-fixture.ts';

describe('fingerprints behind a stored score', () => {
  it('the policy fingerprint changes with any figure and not with key order', () => {
    const a = defaultPolicy();
    expect(policyFingerprint(a)).toBe(policyFingerprint(defaultPolicy()));
    expect(policyFingerprint(parsePolicy({ packageRates: { mild: 310 } }))).not.toBe(policyFingerprint(a));
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(policyFingerprint(reordered)).toBe(policyFingerprint(a));
  });

  it('the input fingerprint ignores what was recorded after the as-of date', () => {
    const record = sampleRecord();
    const later = structuredClone(record);
    later.observations.push({ ...record.observations[0]!, observation_id: 'LATE', effective_time: '2027-01-01T00:00:00Z' });
    expect(inputFingerprint(later, '2025-06-01')).toBe(inputFingerprint(record, '2025-06-01'));
    expect(inputFingerprint(later, '2027-06-01')).not.toBe(inputFingerprint(record, '2027-06-01'));
  });
});
