/**
 * The loader's staging lines (decode.ts stagingLineEncoder, stagingLine) and its duplicate sieve:
 * a row is staged as exactly the values zod decodes, as PostgreSQL's COPY (FORMAT csv) reads
 * them, and no repeated key escapes the sieve.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contractColumns, ENTITY_NAMES, type EntityName } from '../../data-contracts/v1/index.ts';
import { csvField, parseCsvRecord } from '../../src/ingest/csv.ts';
import { rowDecoder, stagingLine, stagingLineEncoder } from '../../src/ingest/decode.ts';
import { DuplicateSieve } from '../../src/ingest/duplicate-sieve.ts';
import { SwappedPanelSieve, type BloodPressureHalf } from '../../src/ingest/panel-sieve.ts';
import { VALID } from '../contracts/fixtures.ts';

const identity = (entity: EntityName) => contractColumns(entity).map((_, i) => i);
const LINEAGE = ['load-x', 'file, "odd".csv'];

/** Split a line as PostgreSQL's COPY (FORMAT csv) does: an unquoted empty field is NULL, a quoted one text. */
function readAsPostgres(line: string): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let text = '';
      for (i++; ; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          text += '"';
          i++;
        } else if (line[i] === '"') break;
        else text += line[i];
      }
      i++;
      out.push(text);
    } else {
      const end = line.indexOf(',', i);
      const text = line.slice(i, end < 0 ? undefined : end);
      out.push(text === '' ? null : text);
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/** What PostgreSQL stores for a staged field, in the terms zod's values are in. */
function storedAs(text: string | null, kind: string): unknown {
  if (text === null) return null;
  if (kind === 'number' || kind === 'integer') {
    // PostgreSQL's float8/int4 input reads plain decimals; anything else would differ or fail.
    expect(text).toMatch(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i);
    return Number(text);
  }
  if (kind === 'boolean') {
    expect(['true', 'false']).toContain(text);
    return text === 'true';
  }
  return text;
}

const TRICKY = [
  '', ' 7', '7.0', '+7', '1e1', '7.40', '-0', '030', '53', '58', '400', 'a,b', 'say "hi"', 'back\\slash', 'tab\there', 'two\nlines', 'cr\rhere',
  'mmol/mol', '%', 'mm[Hg]', 'true', 'false', '', 'M1', '2025-06-01T09:00:00Z', '2024-02-29', 'x'.repeat(40),
];

/** A record's text as a file may hold it: some fields quoted though they need not be (`""` for an empty one). */
const rows = (entity: EntityName) => {
  const base = contractColumns(entity).map((c) => (VALID[entity][c.name] === null || VALID[entity][c.name] === undefined ? '' : String(VALID[entity][c.name])));
  const edits = fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.constantFrom(...TRICKY)), { maxLength: 3 });
  const quoted = fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length });
  return fc.tuple(edits, quoted).map(([changes, quote]) => {
    const fields = [...base];
    for (const [at, text] of changes) fields[at] = text;
    return fields.map((f, i) => (quote[i] ? '"' + f.replace(/"/g, '""') + '"' : csvField(f))).join(',');
  });
};

describe('staging lines', () => {
  for (const entity of ENTITY_NAMES) {
    it(`${entity}: a staged line holds exactly the values the full decoder accepts`, () => {
      const columns = contractColumns(entity);
      const encoder = stagingLineEncoder(entity, identity(entity), columns.length, LINEAGE);
      const decode = rowDecoder(entity, identity(entity), columns.length);
      fc.assert(
        fc.property(rows(entity), (raw) => {
          // As the loader sees a record: its text in the file, and the fields parsed from it.
          const fields = parseCsvRecord(raw);
          const decoded = decode(fields, 9);
          const fast = encoder.encode(fields, raw, 9);
          if (fast !== null) expect(decoded.ok).toBe(true);
          // Read in place, a record is staged as the split path stages it, or left to that path.
          const inPlace = encoder.encodeLine(raw, 9);
          if (inPlace !== null) {
            expect(inPlace).toBe(fast);
            expect(encoder.converted).toBe(decoded.ok && decoded.converted);
          }
          if (!decoded.ok) return;
          for (const line of [fast, stagingLine(decoded.values, LINEAGE, 9)]) {
            if (line === null) continue;
            const stored = readAsPostgres(line);
            expect(stored.length).toBe(columns.length + 3);
            expect(columns.map((c, i) => storedAs(stored[i]!, c.kind))).toEqual(decoded.values);
            expect(stored.slice(columns.length)).toEqual([...LINEAGE, '9']);
          }
          if (fast !== null) expect(encoder.converted).toBe(decoded.converted);
        }),
        { numRuns: 300, seed: 11 },
      );
    });
  }

  it('writes a row from its values when its columns are in another order', () => {
    const names = contractColumns('member').map((c) => c.name);
    const header = [...names].reverse();
    const index = names.map((n) => header.indexOf(n));
    const encoder = stagingLineEncoder('member', index, header.length, LINEAGE);
    const fields = header.map((n) => String(VALID.member[n] ?? ''));
    const line = encoder.encode(fields, fields.join(','), 2);
    expect(line).toBe(`M0000001,1958-04-02,F,R1,URRBMI,2020-01-01,,,load-x,"file, ""odd"".csv",2`);
  });
});

describe('duplicate sieve', () => {
  it('names every key seen twice, and few others', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 3000 }), (ids) => {
        const keys = ids.map((i) => `O${i}-${i % 7}`);
        const sieve = new DuplicateSieve(keys.length);
        for (const k of keys) sieve.add(k);
        const counts = new Map<string, number>();
        for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
        const repeated = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
        expect(sieve.overflowed).toBe(false);
        for (const k of repeated) expect(sieve.candidates.has(k)).toBe(true);
        expect(sieve.candidates.size - repeated.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('finds a repeat whatever the batches its two occurrences were placed in', () => {
    // Keys are placed a batch (2^15) at a time in slot order: repeats within one batch, across
    // neighbouring batches and a million keys apart must all be caught.
    const sieve = new DuplicateSieve(1_100_000);
    const repeats = ['O1-1', 'O40000-3', 'O999999-9'];
    sieve.add('O1-1');
    sieve.add('O1-1');
    for (let i = 0; i < 1_000_000; i++) {
      sieve.add(`K${i}`);
      if (i === 40_000) sieve.add('O40000-3');
      if (i === 70_000) sieve.add('O40000-3');
      if (i === 10) sieve.add('O999999-9');
    }
    sieve.add('O999999-9');
    expect(sieve.overflowed).toBe(false);
    for (const k of repeats) expect(sieve.candidates.has(k)).toBe(true);
    // 31-bit fingerprints over a million keys: a few false candidates at most.
    expect(sieve.candidates.size - repeats.length).toBeLessThanOrEqual(20);
  });

  it('gives up, rather than miss a repeat, when sized for far fewer keys than arrive', () => {
    const sieve = new DuplicateSieve(10);
    for (let i = 0; i < 5000; i++) sieve.add(`K${i}`);
    expect(sieve.overflowed).toBe(true);
  });
});

describe('swapped-panel sieve', () => {
  /** Panels holding a systolic value below a diastolic one: what the SQL check finds. */
  const swapped = (readings: [string, BloodPressureHalf, number][]) => {
    const out = new Set<string>();
    for (const [p, h, v] of readings)
      if (h === 'systolic' && readings.some(([q, k, w]) => q === p && k === 'diastolic' && v < w)) out.add(p);
    return out;
  };

  it('names every panel with a systolic half below a diastolic half, whatever the order, and few others', () => {
    const reading = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom<BloodPressureHalf>('systolic', 'diastolic'), fc.integer({ min: 40, max: 200 }));
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 600 }), (raw) => {
        const readings = raw.map(([p, h, v]): [string, BloodPressureHalf, number] => [`BP${p}-${p % 5}`, h, v]);
        const sieve = new SwappedPanelSieve();
        for (const [p, h, v] of readings) sieve.add(p, h, v);
        const truth = swapped(readings);
        expect(sieve.overflowed).toBe(false);
        for (const p of truth) expect(sieve.candidates.has(p)).toBe(true);
        expect(sieve.candidates.size - truth.size).toBeLessThanOrEqual(2);
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it('keeps every panel across its table growing: a pair split by a million others is still found', () => {
    const sieve = new SwappedPanelSieve();
    sieve.add('BP-first', 'systolic', 80);
    for (let i = 0; i < 1_000_000; i++) {
      sieve.add(`BP${i}`, 'systolic', 130);
      sieve.add(`BP${i}`, 'diastolic', 85);
    }
    sieve.add('BP-first', 'diastolic', 120);
    expect(sieve.overflowed).toBe(false);
    expect([...sieve.candidates]).toEqual(['BP-first']);
  });
});

