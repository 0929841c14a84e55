import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTITIES, ENTITY_NAMES } from '../../data-contracts/v1/index.ts';
import { contractColumns, csvField, csvHeader, csvLine, parseCsv } from '../../src/generator/csv.ts';

describe('contractColumns', () => {
  it('lists every entity field in schema key order', () => {
    for (const e of ENTITY_NAMES) expect(contractColumns(e)).toEqual(Object.keys((ENTITIES[e] as unknown as { shape: object }).shape));
    expect(contractColumns('observation').slice(0, 5)).toEqual(['observation_id', 'member_id', 'code_system', 'code', 'value']);
    expect(csvHeader('institution')).toBe('institution_id,name,level,region\n');
  });
});

describe('csvField', () => {
  it('quotes only fields with a comma, quote or line break', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField(7.5)).toBe('7.5');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('round-trips through parseCsv, empty meaning null', () => {
    const cell = fc.option(fc.string({ minLength: 1 }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const columns = rows[0]!.map((_, i) => `c${i}`);
        const width = columns.length;
        const fixed = rows.map((r) => columns.map((_, i) => r[i] ?? null));
        const text = fixed.map((r) => csvLine(Object.fromEntries(r.map((v, i) => [`c${i}`, v])), columns)).join('');
        const parsed = parseCsv(text);
        expect(parsed.map((r) => r.slice(0, width))).toEqual(fixed.map((r) => r.map((v) => (v === '' ? null : v))));
      }),
    );
  });
});
