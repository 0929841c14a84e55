import { describe, expect, it } from 'vitest';
import { copyTextChunks, encodeCopyField, encodeCopyRow } from '../../src/store/copy-text.ts';
import { CopyValueError } from '../../src/store/errors.ts';

describe('COPY text encoding (PostgreSQL docs, COPY "Text Format")', () => {
  it('writes NULL as \\N and escapes backslash, tab, newline and carriage return', () => {
    expect(encodeCopyField(null)).toBe('\\N');
    expect(encodeCopyField(undefined)).toBe('\\N');
    expect(encodeCopyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    // The two characters backslash-N are data, not NULL, once escaped.
    expect(encodeCopyField('\\N')).toBe('\\\\N');
  });

  it('writes scalars in the form PostgreSQL input functions accept', () => {
    expect(encodeCopyField(true)).toBe('t');
    expect(encodeCopyField(false)).toBe('f');
    expect(encodeCopyField(-1.5)).toBe('-1.5');
    expect(encodeCopyField(12345678901234567890n)).toBe('12345678901234567890');
    expect(encodeCopyField(new Date('2024-03-01T12:00:00Z'))).toBe('2024-03-01T12:00:00.000Z');
    expect(encodeCopyField(new Uint8Array([0, 255]))).toBe('\\\\x00ff');
    expect(encodeCopyField({ a: 'x\ty' })).toBe('{"a":"x\\\\ty"}');
  });

  it('writes arrays as quoted array literals, NULL elements unquoted, nested arrays nested', () => {
    expect(encodeCopyField(['E11', 'a"b', 'c\\d', null])).toBe('{"E11","a\\\\"b","c\\\\\\\\d",NULL}');
    expect(encodeCopyField([[1, 2], [3, null]])).toBe('{{"1","2"},{"3",NULL}}');
    expect(encodeCopyField([])).toBe('{}');
  });

  it('refuses values that have no faithful column form', () => {
    expect(() => encodeCopyField(Number.NaN)).toThrow(CopyValueError);
    expect(() => encodeCopyField(Number.POSITIVE_INFINITY)).toThrow(CopyValueError);
    expect(() => encodeCopyField(new Date('not a date'))).toThrow(CopyValueError);
    expect(() => encodeCopyField(Symbol('s'))).toThrow(/type symbol/);
  });

  it('joins fields with tabs and ends each row with a newline', () => {
    expect(encodeCopyRow([1, null, 'x'])).toBe('1\t\\N\tx\n');
  });

  it('groups rows into chunks of the requested size and checks row width', async () => {
    const chunks = [];
    for await (const chunk of copyTextChunks([[1], [2], [3], [4], [5]], 1, 2)) chunks.push(chunk);
    expect(chunks).toEqual([
      { text: '1\n2\n', rowCount: 2 },
      { text: '3\n4\n', rowCount: 2 },
      { text: '5\n', rowCount: 1 },
    ]);
    const wide = copyTextChunks([[1, 2]], 1, 10);
    await expect(wide.next()).rejects.toThrow(/row has 2 values for 1 columns/);
  });
});
