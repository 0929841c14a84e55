/**
 * Streaming RFC 4180 CSV: reads a file in large chunks and yields one record at a time with its
 * 1-based line number (the header is line 1), so memory stays bounded whatever the file size.
 */
import { createReadStream } from 'node:fs';

export interface CsvRow {
  /** Line number of the record's first line in the file (header = 1). */
  line: number;
  fields: string[];
  /** The record's text as it stood in the file (without the line end), for reject files. */
  raw: string;
}

/** A record the parser could not read (an unterminated quote). */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Split one complete record's text into fields (handles quotes, doubled quotes, embedded commas and newlines). */
export function parseCsvRecord(text: string): string[] {
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

const NEEDS_QUOTES = /[",\n\r]/;

/** One field: null/undefined -> empty; quoted only when it holds a comma, quote or line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/**
 * Yield the records of a CSV file. `skipRecords` data records after the header are read but not
 * yielded (a resumed load skips what it has already staged).
 */
export async function* readCsv(file: string, options: { skipRecords?: number } = {}): AsyncGenerator<CsvRow | { header: string[] }> {
  for await (const batch of readCsvBatches(file, options)) {
    if ('header' in batch) yield batch;
    else yield* batch;
  }
}

/**
 * The same records as `readCsv`, a read buffer's worth (1 MiB) at a time: the header first, then
 * arrays of records. Yielding per batch rather than per record keeps the async-iteration cost off
 * each of a load's ~50 million rows.
 */
export async function* readCsvBatches(file: string, options: { skipRecords?: number } = {}): AsyncGenerator<CsvRow[] | { header: string[] }> {
  for await (const batch of readCsvRecords(file, options)) {
    if ('header' in batch) {
      yield batch;
      continue;
    }
    const rows: CsvRow[] = new Array(batch.texts.length);
    for (let i = 0; i < rows.length; i++) rows[i] = { line: batch.lines[i]!, fields: parseCsvRecord(batch.texts[i]!), raw: batch.texts[i]! };
    yield rows;
  }
}

/** A read buffer's worth of records, unsplit: `texts[i]` starts on line `lines[i]`. */
export interface CsvRecordBatch {
  texts: string[];
  lines: number[];
}

/**
 * The records of a CSV file as text, a read buffer (1 MiB) at a time, header first (split into
 * fields). The caller splits each record with `parseCsvRecord` when it needs to: the bulk loader
 * keeps no object per record, which at ~50 million rows is most of its garbage-collection time.
 */
export async function* readCsvRecords(file: string, options: { skipRecords?: number } = {}): AsyncGenerator<CsvRecordBatch | { header: string[] }> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let carry = '';
  let lineNo = 0;
  let pending: { start: number; text: string } | null = null;
  let headerSeen = false;
  let skip = options.skipRecords ?? 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = carry + chunk;
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    const texts: string[] = [];
    const starts: number[] = [];
    for (let line of lines) {
      lineNo++;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      let start: number;
      let recordText: string;
      if (pending) {
        pending.text += '\n' + line;
        if (countQuotes(pending.text) % 2 === 1) continue;
        start = pending.start;
        recordText = pending.text;
        pending = null;
      } else if (line.includes('"') && countQuotes(line) % 2 === 1) {
        pending = { start: lineNo, text: line };
        continue;
      } else {
        start = lineNo;
        recordText = line;
      }
      if (!headerSeen) {
        headerSeen = true;
        yield { header: parseCsvRecord(recordText) };
        continue;
      }
      if (recordText === '') continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      texts.push(recordText);
      starts.push(start);
    }
    if (texts.length) yield { texts, lines: starts };
  }
  if (carry !== '' || pending) {
    lineNo++;
    const textLeft = pending ? pending.text + (carry ? '\n' + carry : '') : carry;
    const start = pending ? pending.start : lineNo;
    if (countQuotes(textLeft) % 2 === 1) throw new CsvSyntaxError(start, 'unterminated quoted field at end of file');
    if (!headerSeen) yield { header: parseCsvRecord(textLeft) };
    else if (textLeft !== '' && skip <= 0) yield { texts: [textLeft], lines: [start] };
  }
}
