/** Reading generated CSV back into records the contracts can validate. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../src/generator/csv.ts';

const NUMBER_COLUMNS = new Set(['value', 'days_supplied']);
const BOOLEAN_COLUMNS = new Set(['planned', 'family_history_hypertension', 'family_history_diabetes', 'family_history_chd']);

/** Rows of a CSV file as objects of raw strings (null for empty fields). */
export function readRows(dir: string, file: string): { header: string[]; rows: Record<string, string | null>[] } {
  const parsed = parseCsv(readFileSync(path.join(dir, file), 'utf8'));
  const header = (parsed.shift() ?? []).map(String);
  return { header, rows: parsed.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null]))) };
}

/** Raw CSV strings typed the way the loader types them (numbers, booleans, null). */
export function typed(row: Record<string, string | null>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null) out[k] = null;
    else if (NUMBER_COLUMNS.has(k)) out[k] = Number(v);
    else if (BOOLEAN_COLUMNS.has(k)) out[k] = v === 'true' ? true : v === 'false' ? false : v;
    else out[k] = v;
  }
  return out;
}
