/**
 * What every real-dataset adapter returns, and the small readers they share (CSV rows, numeric
 * cells, the published test-row lists). Adapters sit at the I/O edge: they read the shared data
 * folder, whose location comes from the `STRATUM_SHARED_DATA` setting and is passed in, never copied
 * into the project (shared/data/README.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsvRecord } from '../ingest/csv.ts';
import type { FeatureMatrix } from '../models/risk-model.ts';
import { DatasetError } from './errors.ts';

/** A labelled table ready for fitting and evaluation. */
export interface LabelledDataset {
  /** Adapter name, e.g. `uci-readmission`. */
  name: string;
  /** The label as the data README names it, e.g. `readmitted <30`. */
  label: string;
  X: FeatureMatrix;
  /** 0/1 outcome per row. */
  y: Uint8Array;
  /** Group id per row (patient for UCI; the row's own id where each person appears once). */
  groups: string[];
  /** 0-based data rows of the published stratified 80/20 test part (`test-rows-<label>.txt`). */
  testRows: Uint32Array;
  /** Keys for subgroup evaluation (e.g. `sex`, `ageBand`), one value per row. */
  subgroups: Record<string, string[]>;
  /** Per-row 0/1 flags worth knowing (e.g. discharged to death or hospice). */
  rowFlags: Record<string, Uint8Array>;
  /** The files read, for lineage. */
  sources: string[];
}

/** Absolute path of the shared data folder from the `STRATUM_SHARED_DATA` setting (relative to the project root). */
export function resolveSharedDataDir(setting: string, projectRoot: string = process.cwd()): string {
  return resolve(projectRoot, setting);
}

/** Read a file of the shared data folder, or fail with DATA_MISSING naming the path. */
export function readDataFile(path: string): Buffer {
  if (!existsSync(path)) {
    throw new DatasetError('DATA_MISSING', `data file ${path} not found: set STRATUM_SHARED_DATA to the shared data folder`);
  }
  return readFileSync(path);
}

/**
 * Call `onRow` with the fields of every data row of CSV `text` (RFC 4180: quoted fields may hold
 * commas, quotes doubled, CRLF or LF line ends; blank lines are ignored). Returns the header,
 * which `onRow` also receives. Records are cut at the line end that closes every quote, then split
 * by the ingest reader's `parseCsvRecord`, so both readers agree on what a field is.
 */
export function forEachCsvRow(text: string, onRow: (fields: string[], rowIndex: number, header: readonly string[]) => void): string[] {
  let header: string[] | null = null;
  let rowIndex = 0;
  // A record spanning lines (a quoted field holding a line end) is gathered here until its quotes close.
  let open: string | null = null;
  let openQuotes = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    const quotes = countQuotes(line);
    if (open !== null) {
      open += `\n${line}`;
      openQuotes += quotes;
    } else {
      open = line;
      openQuotes = quotes;
    }
    if (openQuotes % 2 === 1) continue;
    const record = open.endsWith('\r') ? open.slice(0, -1) : open;
    open = null;
    const fields = parseCsvRecord(record);
    if (header === null) {
      header = fields;
    } else if (!(fields.length === 1 && fields[0] === '')) {
      if (fields.length !== header.length) {
        throw new DatasetError('BAD_CSV', `data row ${rowIndex} has ${fields.length} fields, the header ${header.length}`);
      }
      onRow(fields, rowIndex++, header);
    }
  }
  if (open !== null) throw new DatasetError('BAD_CSV', 'unterminated quoted field at end of file');
  if (header === null) throw new DatasetError('BAD_CSV', 'empty CSV: no header');
  return header;
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) n++;
  return n;
}

/** Index of each named column in `header`; BAD_CSV if one is absent. */
export function columnIndex(header: readonly string[], names: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const name of names) {
    const i = header.indexOf(name);
    if (i < 0) throw new DatasetError('BAD_CSV', `column ${name} not in header`);
    map.set(name, i);
  }
  return map;
}

/** A numeric cell; `missing` tokens (and the empty cell) give NaN; anything else non-numeric is BAD_CSV. */
export function parseNumber(cell: string, missing: readonly string[] = ['', 'NA']): number {
  if (missing.includes(cell)) return NaN;
  const v = Number(cell);
  if (!Number.isFinite(v)) throw new DatasetError('BAD_CSV', `cell ${JSON.stringify(cell)} is not a number`);
  return v;
}

/** The published test rows: one 0-based data-row number per line, each within [0, rowCount), no repeats. */
export function readTestRows(path: string, rowCount: number): Uint32Array {
  const lines = readDataFile(path).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows = new Uint32Array(lines.length);
  const seen = new Uint8Array(rowCount);
  lines.forEach((line, k) => {
    const r = Number(line.trim());
    if (!Number.isInteger(r) || r < 0 || r >= rowCount) throw new DatasetError('BAD_CSV', `${path}: line ${k + 1} (${line}) is not a row of ${rowCount}`);
    if (seen[r]) throw new DatasetError('BAD_CSV', `${path}: row ${r} listed twice`);
    seen[r] = 1;
    rows[k] = r;
  });
  return rows;
}

/** Row-major FeatureMatrix builder over a growing Float64Array (no boxed numbers per cell). */
export class MatrixBuilder {
  private values: Float64Array;
  private rowCount = 0;
  readonly cols: number;
  constructor(readonly featureNames: readonly string[], expectedRows = 1024) {
    this.cols = featureNames.length;
    this.values = new Float64Array(Math.max(1, expectedRows) * this.cols);
  }
  /** Append one row; `values` in `featureNames` order. */
  push(values: ArrayLike<number>): void {
    if (values.length !== this.cols) throw new Error(`row has ${values.length} values, expected ${this.cols}`);
    const at = this.rowCount * this.cols;
    if (at + this.cols > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, at + this.cols));
      grown.set(this.values);
      this.values = grown;
    }
    for (let j = 0; j < this.cols; j++) this.values[at + j] = values[j]!;
    this.rowCount++;
  }
  build(): FeatureMatrix {
    return {
      rows: this.rowCount,
      cols: this.cols,
      values: this.values.slice(0, this.rowCount * this.cols),
      featureNames: [...this.featureNames],
    };
  }
}

/** Ten-year age band label, e.g. 47 -> `40-49`; NaN -> `unknown`. */
export function ageBand(age: number): string {
  if (!Number.isFinite(age)) return 'unknown';
  const lo = Math.floor(age / 10) * 10;
  return `${lo}-${lo + 9}`;
}
