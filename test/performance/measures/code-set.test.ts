/** The compiled value set the measures look codes up in (src/performance/measures/common.ts CodeSet). */
import { describe, expect, it } from 'vitest';
import { CodeSet, requireValueSet, MissingValueSetError } from '../../../src/performance/measures/index.ts';

describe('CodeSet', () => {
  const set = new CodeSet(['CPT|99213', 'ICD-10-CM|E11.9', 'LOCAL|a|b', 'no-system']);

  it('answers membership by the record’s own system and code, as the `system|code` keys said', () => {
    expect(set.has('CPT', '99213')).toBe(true);
    expect(set.has('CPT', 'E11.9')).toBe(false);
    expect(set.has('ICD-10-CM', 'E11.9')).toBe(true);
    // A code may hold `|`: only the first one separates the system.
    expect(set.has('LOCAL', 'a|b')).toBe(true);
    expect(set.hasRecord({ code_system: 'ICD-10-CM', code: 'E11.9' })).toBe(true);
    expect(set.hasEncounter({ type_system: 'CPT', type_code: '99213' } as Parameters<CodeSet['hasEncounter']>[0])).toBe(true);
    expect(set.has(null, '99213')).toBe(false);
    expect(set.has('CPT', null)).toBe(false);
  });

  it('drops keys without a system (no record could match them) and counts distinct codes', () => {
    expect(set.size).toBe(3);
    expect([...set.keys()].sort()).toEqual(['CPT|99213', 'ICD-10-CM|E11.9', 'LOCAL|a|b']);
    expect(new CodeSet().addAll(set).add('CPT|99213').add('CPT|99214').size).toBe(4);
    expect(new CodeSet().has('CPT', '99213')).toBe(false);
  });

  it('compiles a value set of the lookup, or stops on a missing one', () => {
    const lookup = new Map([['1.2.3', new Set(['CPT|99213'])]]);
    expect(requireValueSet(lookup, 'CMS122', '1.2.3', 'Office Visit').has('CPT', '99213')).toBe(true);
    expect(() => requireValueSet(lookup, 'CMS122', '9.9.9', 'Missing')).toThrow(MissingValueSetError);
  });
});
