import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contractColumns, ENTITY_NAMES, type EntityName } from '../../data-contracts/v1/index.ts';
import { parseCsvRecord } from '../../src/ingest/csv.ts';
import { decodeRecord, rowDecoder } from '../../src/ingest/decode.ts';
import { compileFastFill, compileFastPath, compileLineFill } from '../../src/ingest/fast-path.ts';
import { VALID } from '../contracts/fixtures.ts';

/** The contract's columns as CSV text, the way the generator writes them. */
function csvFields(entity: EntityName, record: Record<string, unknown>): string[] {
  return contractColumns(entity).map((c) => (record[c.name] === null || record[c.name] === undefined ? '' : String(record[c.name])));
}

const identity = (entity: EntityName) => contractColumns(entity).map((_, i) => i);

/** Values that sit on or just past the edges of the contract's rules. */
const TRICKY = [
  '', ' ', '0', '-0', '1', '366', '367', '0.5', '1e3', ' 5', '0x10', 'Infinity', 'NaN', '-1', '7.4', '400', '53',
  'true', 'false', 'TRUE', 'null', 'M1', 'a b', ' M1', 'M1 ', 'M\t1', 'É', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(201),
  '110101199003071234', '11010119900307123X', '1101011990030712', '.M1', 'M:1-2_3.4',
  '2024-02-29', '2023-02-29', '2025-13-01', '1899-12-31', '1900-01-01', '2025-06-01', '2019-04-30', '2030-01-01',
  '2025-06-01T09:00:00+08:00', '2025-06-01T09:00:00Z', '2025-06-01T09:00:00', '2025-06-01T24:00:00Z', '2025-06-01T09:00:00.123Z', '2020-01-01T00:00:00Z',
  '2025-03', '2025-00', '12345.60', '12345.601', '-3.5', '1234567890123456',
  'primary', 'finished', 'encounter', 'problem-list', 'LOINC', 'ICD-10-CN', 'ICD10', 'current', 'low', 'mm[Hg]', '%', 'mmol/mol', 'g/L', 'kg/m2',
  '4548-4', '8480-6', '8462-4', '39156-5', 'E11.9', 'E1', 'P0101', 'I01', 'F', 'M', 'X', 'UEBMI', 'service', 'device', 'order', 'active', 'lab', 'home-device',
];

/** A row: the valid fixture with some fields replaced by tricky or arbitrary text. */
const mutatedRow = (entity: EntityName) => {
  const base = csvFields(entity, VALID[entity]);
  return fc
    .array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 12 }))), { maxLength: 4 })
    .map((edits) => {
      const fields = [...base];
      for (const [at, text] of edits) fields[at] = text;
      return fields;
    });
};

describe('compiled fast path', () => {
  it('compiles for every v1 entity (none silently falls back to zod for all rows)', () => {
    for (const entity of ENTITY_NAMES) expect(() => compileFastPath(entity, identity(entity)), entity).not.toThrow();
  });

  for (const entity of ENTITY_NAMES) {
    it(`${entity}: accepts exactly the rows zod accepts, with the values zod outputs`, () => {
      const fast = compileFastPath(entity, identity(entity));
      fc.assert(
        fc.property(mutatedRow(entity), (fields) => {
          const full = decodeRecord(entity, fields, identity(entity), 'line 2');
          const values = fast(fields);
          // The reading rules (units, plausible ranges) come after the contract on both paths.
          const zodAccepted = full.ok || full.violations.every((v) => v.rule === 'implausible-value' || v.rule === 'unknown-unit');
          expect(values !== null).toBe(zodAccepted);
          if (full.ok) expect(values).toEqual(contractColumns(entity).map((c) => full.record[c.name]));
        }),
        { numRuns: 400, seed: 42 },
      );
    });
  }

  it('observation: the loader decoder gives the full path result on every row, conversions and rejects included', () => {
    const decode = rowDecoder('observation', identity('observation'));
    fc.assert(
      fc.property(mutatedRow('observation'), (fields) => {
        const full = decodeRecord('observation', fields, identity('observation'), 'line 7');
        const got = decode(fields, 7);
        if (full.ok) expect(got).toEqual({ ok: true, values: contractColumns('observation').map((c) => full.record[c.name]), converted: full.converted });
        else expect(got).toEqual(full);
      }),
      { numRuns: 600, seed: 7 },
    );
  });

  it('known answers: an HbA1c in mmol/mol is converted; a national ID and a 30 February are refused', () => {
    const decode = rowDecoder('observation', identity('observation'));
    const hba1c = csvFields('observation', { ...VALID.observation, value: 53, unit: 'mmol/mol' });
    expect(decode(hba1c, 3)).toMatchObject({ ok: true, converted: true });
    const fast = compileFastPath('member', identity('member'));
    expect(fast(csvFields('member', VALID.member))).not.toBeNull();
    expect(fast(csvFields('member', { ...VALID.member, member_id: '110101199003071234' }))).toBeNull();
    expect(fast(csvFields('member', { ...VALID.member, birth_date: '1990-02-30' }))).toBeNull();
    expect(fast(csvFields('member', { ...VALID.member, enrolled_to: '2019-12-31' }))).toBeNull();
  });

  for (const entity of ENTITY_NAMES) {
    it(`${entity}: reading a record in place accepts only rows the split path accepts, with the same values`, () => {
      const plain = (c: { kind: string }) => (c.kind === 'integer' ? /^-?\d+$/ : /^-?\d+(?:\.\d+)?$/);
      const inPlace = compileLineFill(entity, plain);
      const split = compileFastFill(entity, identity(entity));
      const width = contractColumns(entity).length;
      let taken = 0;
      fc.assert(
        // Runs of rows, so remembered texts are reused from row to row; some rows repeat the valid one.
        fc.property(fc.array(fc.oneof(mutatedRow(entity), fc.constant(csvFields(entity, VALID[entity]))), { minLength: 1, maxLength: 8 }), (rows) => {
          for (const fields of rows) {
            const line = fields.join(',');
            const got = new Array<unknown>(width);
            if (!inPlace(line, got)) continue;
            taken++;
            const want = new Array<unknown>(width);
            expect(split(parseCsvRecord(line), want)).toBe(true);
            expect(got).toEqual(want);
          }
        }),
        { numRuns: 200, seed: 11 },
      );
      // Not a path that never takes a row: the valid row and its harmless variants are read in place.
      expect(taken).toBeGreaterThan(50);
    });
  }

  it('leaves quoted records, other field counts and unusually spelt numbers to the split path', () => {
    const inPlace = compileLineFill('observation', (c) => (c.kind === 'integer' ? /^-?\d+$/ : /^-?\d+(?:\.\d+)?$/));
    const values: unknown[] = [];
    const fields = csvFields('observation', VALID.observation);
    expect(inPlace(fields.join(','), values)).toBe(true);
    const valueAt = contractColumns('observation').findIndex((c) => c.name === 'value');
    const spelt = (text: string) => fields.map((f, i) => (i === valueAt ? text : f)).join(',');
    expect(inPlace(spelt('7.50'), values)).toBe(true);
    for (const text of [' 7.5', '+7.5', '7.5e0', '"7.5"']) expect(inPlace(spelt(text), values), text).toBe(false);
    expect(inPlace(fields.join(',') + ',', values)).toBe(false);
    expect(inPlace(fields.slice(0, -1).join(','), values)).toBe(false);
  });
});
