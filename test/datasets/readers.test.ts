import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { forEachCsvRow, MatrixBuilder, parseNumber, readTestRows } from '../../src/datasets/dataset.ts';
import { crc32, extractZipEntry, listZipEntries } from '../../src/datasets/zip.ts';
import { icd9Group } from '../../src/datasets/uci-readmission.ts';
import { loadRealDataset } from '../../src/datasets/index.ts';

/** A minimal zip (one deflated and one stored entry) built by hand, per APPNOTE 4.3. */
function makeZip(entries: { name: string; data: Buffer; deflate: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(e.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc32(e.data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('zip reader', () => {
  const csv = Buffer.from('a,b\n1,2\n'.repeat(200));
  const zip = makeZip([
    { name: 'dir/data.csv', data: csv, deflate: true },
    { name: 'dir/ids.csv', data: Buffer.from('x\n1\n'), deflate: false },
  ]);

  it('lists entries and extracts deflated and stored files byte for byte', () => {
    expect(listZipEntries(zip).map((e) => e.name)).toEqual(['dir/data.csv', 'dir/ids.csv']);
    expect(extractZipEntry(zip, 'dir/data.csv').equals(csv)).toBe(true);
    expect(extractZipEntry(zip, 'dir/ids.csv').toString()).toBe('x\n1\n');
  });

  it('knows the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('refuses a corrupted entry and a missing one with typed errors', () => {
    const bad = Buffer.from(zip);
    bad.writeUInt32LE(12345, 14); // not used by the reader: corrupt the central CRC instead
    const centralCrcAt = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 16;
    bad.writeUInt32LE(12345, centralCrcAt);
    expect(() => extractZipEntry(bad, 'dir/data.csv')).toThrow(/CRC-32/);
    expect(() => extractZipEntry(zip, 'nope.csv')).toThrow(/no entry nope.csv/);
    expect(() => listZipEntries(Buffer.from('not a zip at all, just some text here'))).toThrow(/not a zip/);
  });
});

describe('CSV and cell readers', () => {
  it('handles quotes, doubled quotes, commas in quotes, CRLF and a blank last line', () => {
    const rows: string[][] = [];
    const header = forEachCsvRow('id,desc\r\n1,"Expired, place unknown"\r\n2,"say ""hi"""\r\n3,plain\r\n\r\n', (f) => rows.push(f));
    expect(header).toEqual(['id', 'desc']);
    expect(rows).toEqual([
      ['1', 'Expired, place unknown'],
      ['2', 'say "hi"'],
      ['3', 'plain'],
    ]);
  });

  it('refuses a ragged row', () => {
    expect(() => forEachCsvRow('a,b\n1\n', () => {})).toThrow(/data row 0 has 1 fields, the header 2/);
  });

  it('parses numbers with missing tokens as NaN and refuses text', () => {
    expect(parseNumber('3.5')).toBe(3.5);
    expect(parseNumber('NA')).toBeNaN();
    expect(parseNumber('?', ['?'])).toBeNaN();
    expect(() => parseNumber('abc')).toThrow(/not a number/);
  });

  it('builds a row-major matrix', () => {
    const b = new MatrixBuilder(['a', 'b'], 1);
    b.push([1, 2]);
    b.push([3, NaN]);
    const X = b.build();
    expect(X.rows).toBe(2);
    expect(Array.from(X.values)).toEqual([1, 2, 3, NaN]);
  });

  it('reads test rows and rejects out-of-range or repeated rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratum-test-rows-'));
    writeFileSync(join(dir, 'ok.txt'), '2\n0\n5\n');
    writeFileSync(join(dir, 'range.txt'), '2\n9\n');
    writeFileSync(join(dir, 'twice.txt'), '1\n1\n');
    expect(Array.from(readTestRows(join(dir, 'ok.txt'), 6))).toEqual([2, 0, 5]);
    expect(() => readTestRows(join(dir, 'range.txt'), 6)).toThrow(/not a row of 6/);
    expect(() => readTestRows(join(dir, 'twice.txt'), 6)).toThrow(/listed twice/);
    expect(() => readTestRows(join(dir, 'absent.txt'), 6)).toThrow(/STRATUM_SHARED_DATA/);
  });
});

describe('ICD-9 groups (Strack et al. 2014, Table 2)', () => {
  it.each([
    ['428', 'circulatory'],
    ['785', 'circulatory'],
    ['486', 'respiratory'],
    ['786', 'respiratory'],
    ['250.83', 'diabetes'],
    ['250', 'diabetes'],
    ['996', 'injury'],
    ['715', 'musculoskeletal'],
    ['599', 'genitourinary'],
    ['788', 'genitourinary'],
    ['174', 'neoplasms'],
    ['577', 'digestive'],
    ['V27', 'other'],
    ['E909', 'other'],
    ['276', 'other'],
    ['?', 'missing'],
  ])('%s -> %s', (code, group) => {
    expect(icd9Group(code)).toBe(group);
  });
});

describe('dataset registry', () => {
  it('names the known datasets when asked for an unknown one', () => {
    expect(() => loadRealDataset('mimic', '/nowhere')).toThrow(/unknown dataset "mimic"; known: uci-readmission, framingham/);
  });

  it('fails with DATA_MISSING naming the setting when the folder is absent', () => {
    expect(() => loadRealDataset('pima', '/nowhere/at/all')).toThrow(/STRATUM_SHARED_DATA/);
  });
});
