/**
 * Encoding of JavaScript values into PostgreSQL's COPY text format (PostgreSQL docs, "COPY",
 * section "Text Format"): one line per row, columns separated by a tab, NULL written as `\N`, and
 * backslash, tab, newline and carriage return escaped with a backslash. Both engines read this
 * format: PostgreSQL through COPY FROM STDIN, PGlite through COPY FROM '/dev/blob'.
 */
import { CopyValueError } from './errors.ts';

/** Encode one row as a COPY text line, including the trailing newline. */
export function encodeCopyRow(row: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += encodeCopyField(row[i]);
  }
  return line + '\n';
}

/** Encode one field: `\N` for null/undefined, otherwise the escaped text form of the value. */
export function encodeCopyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return escapeCopyText(valueToText(value));
}

/** The text PostgreSQL's input function should receive for `value` (before COPY escaping). */
function valueToText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      // NaN/Infinity would be accepted by float columns but are never valid data here.
      if (!Number.isFinite(value)) throw new CopyValueError(`copyFrom: non-finite number ${value}`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    case 'object':
      break;
    default:
      throw new CopyValueError(`copyFrom: cannot write a value of type ${typeof value}`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CopyValueError('copyFrom: invalid Date');
    return value.toISOString();
  }
  if (value instanceof Uint8Array) return '\\x' + Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return arrayLiteral(value);
  // Plain objects go to json/jsonb columns.
  return JSON.stringify(value);
}

/**
 * PostgreSQL array literal (docs, "Arrays", "Array Value Input"): every element double-quoted
 * with `"` and `\` backslash-escaped, NULL unquoted, nested arrays as nested braces.
 */
function arrayLiteral(values: readonly unknown[]): string {
  const parts = values.map((element) => {
    if (element === null || element === undefined) return 'NULL';
    if (Array.isArray(element)) return arrayLiteral(element);
    const text = valueToText(element);
    return '"' + text.replace(/["\\]/g, (c) => '\\' + c) + '"';
  });
  return '{' + parts.join(',') + '}';
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeCopyText(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c) : text;
}

/**
 * Group rows into COPY text chunks of at most `rowsPerChunk` rows, so a large load is neither
 * one huge string nor one string per row. Accepts arrays and async iterables alike.
 */
export async function* copyTextChunks(
  rows: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>,
  columnCount: number,
  rowsPerChunk: number,
): AsyncGenerator<{ text: string; rowCount: number }> {
  let parts: string[] = [];
  for await (const row of rows) {
    if (row.length !== columnCount) {
      throw new CopyValueError(`copyFrom: row has ${row.length} values for ${columnCount} columns`);
    }
    parts.push(encodeCopyRow(row));
    if (parts.length >= rowsPerChunk) {
      yield { text: parts.join(''), rowCount: parts.length };
      parts = [];
    }
  }
  if (parts.length > 0) yield { text: parts.join(''), rowCount: parts.length };
}
