/**
 * The CSV dialect of the population files, shared by the generator (writer) and the loader
 * (reader): RFC 4180, UTF-8, `\n` line ends, a header row of the contract's fields in schema key
 * order, null = empty field, booleans `true`/`false`, numbers as plain decimals, a field quoted
 * only when it holds a comma, a quote or a line break.
 */
import type { z } from 'zod';
import { ENTITIES, type EntityName } from '../../data-contracts/v1/index.ts';
import { csvField } from '../ingest/csv.ts';

/** Thrown when a CSV text cannot be parsed (an unterminated quote). */
export class CsvFormatError extends Error {
  readonly code = 'CSV_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

/**
 * The columns of an entity's CSV file: the contract's fields in the schema's key order. The
 * contracts are `z.object(...).refine(...)`; zod 4 keeps refinements on the object itself, but a
 * wrapped schema (pipe/effects) is unwrapped to its inner object so the answer never depends on that.
 */
export function contractColumns(entity: EntityName): string[] {
  let schema = ENTITIES[entity] as unknown as { shape?: Record<string, z.ZodType>; _zod?: { def?: { schema?: unknown; in?: unknown } } };
  for (let depth = 0; depth < 5 && !schema.shape; depth++) {
    const def = schema._zod?.def;
    const inner = (def?.schema ?? def?.in) as typeof schema | undefined;
    if (!inner) break;
    schema = inner;
  }
  if (!schema.shape) throw new CsvFormatError(`contract for ${entity} has no object shape`);
  return Object.keys(schema.shape);
}

/** The header line (with its `\n`) of an entity's file. */
export function csvHeader(entity: EntityName): string {
  return contractColumns(entity).join(',') + '\n';
}

/** The one CSV field encoder, shared with the loader's reject file and the API's CSV answers. */
export { csvField };

/** One record line (with its `\n`) in the given column order. */
export function csvLine(record: Record<string, string | number | boolean | null | undefined>, columns: readonly string[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i ? ',' : '') + csvField(record[columns[i]!]);
  return line + '\n';
}

/**
 * Parse RFC 4180 text into rows of raw strings. An empty unquoted field is returned as null (the
 * dialect's null); a quoted empty field `""` is the empty string.
 */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new CsvFormatError(`unterminated quoted field in row ${rows.length + 1}`);
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = value;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      break;
    }
    const c = text[i];
    if (c === ',') {
      i++;
      if (i >= n) {
        row.push(null);
        rows.push(row);
      }
    } else {
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
