/**
 * Baseline candidate: plain TypeScript on typed arrays. A streaming byte-level CSV reader keeps
 * only the columns the query needs (dictionary-coded strings, epoch-ms times, float values),
 * then a single pass with per-member accumulators computes the features.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { LOINC } from '../../data-contracts/v1/codes.ts';
import type { FeatureMatrix } from '../../src/models/risk-model.ts';
import { FEATURE_NAMES } from './spec.ts';

const COMMA = 0x2c;
const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * Call `onRow(fields)` for each data record; `fields` holds the text of the wanted columns only
 * (by header name), reused between calls. Handles quoted fields and CRLF.
 */
export function scanCsv(path: string, wanted: readonly string[], onRow: (fields: string[]) => void): number {
  const fd = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  let carry: Buffer = Buffer.alloc(0);
  let slot: Int32Array | null = null; // column index -> output slot (-1 = skip)
  const fields = new Array<string>(wanted.length).fill('');
  let rows = 0;
  const handleLine = (buf: Buffer, start: number, end: number) => {
    if (end > start && buf[end - 1] === CR) end--;
    if (slot === null) {
      const header = buf.toString('utf8', start, end).split(',');
      slot = new Int32Array(header.length).fill(-1);
      wanted.forEach((name, k) => {
        const at = header.indexOf(name);
        if (at === -1) throw new Error(`${path}: no column ${name}`);
        slot![at] = k;
      });
      return;
    }
    let col = 0;
    let i = start;
    while (i <= end) {
      if (buf[i] === QUOTE) {
        let text = '';
        let j = i + 1;
        for (;;) {
          const q = buf.indexOf(QUOTE, j);
          text += buf.toString('utf8', j, q);
          if (buf[q + 1] === QUOTE) {
            text += '"';
            j = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        if (col < slot.length && slot[col]! >= 0) fields[slot[col]!] = text;
        i++; // the comma (or end)
      } else {
        let j = buf.indexOf(COMMA, i);
        if (j === -1 || j > end) j = end;
        if (col < slot.length && slot[col]! >= 0) fields[slot[col]!] = buf.toString('utf8', i, j);
        i = j + 1;
      }
      col++;
    }
    rows++;
    onRow(fields);
  };
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let start = 0;
    let inQuotes = false;
    let lineEnd = -1;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (b === NL && !inQuotes) {
        handleLine(buf, start, i);
        start = i + 1;
        lineEnd = i;
      }
    }
    void lineEnd;
    carry = Buffer.from(buf.subarray(start));
  }
  if (carry.length > 0) handleLine(carry, 0, carry.length);
  closeSync(fd);
  return rows;
}

class GrowArray<T extends Float64Array | Int32Array | Uint8Array | Uint16Array> {
  length = 0;
  constructor(public data: T, private readonly make: (n: number) => T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export interface PlainTables {
  memberIds: string[];
  birthMs: Float64Array;
  male: Uint8Array;
  obsMember: Int32Array;
  obsCode: Uint16Array;
  obsValue: Float64Array;
  obsTime: Float64Array;
  obsResult: Uint8Array;
  codes: string[];
  observations: number;
}

/** Load member and observation columns the query needs into typed arrays. */
export function loadPlain(dir: string): PlainTables {
  const memberIds: string[] = [];
  const index = new Map<string, number>();
  const birth: number[] = [];
  const male: number[] = [];
  scanCsv(join(dir, 'member.csv'), ['member_id', 'birth_date', 'sex'], (f) => {
    index.set(f[0]!, memberIds.length);
    memberIds.push(f[0]!);
    birth.push(Date.parse(f[1]!));
    male.push(f[2] === 'M' ? 1 : 0);
  });
  const codes: string[] = [];
  const codeIndex = new Map<string, number>();
  const member = new GrowArray(new Int32Array(1 << 16), (n) => new Int32Array(n));
  const code = new GrowArray(new Uint16Array(1 << 16), (n) => new Uint16Array(n));
  const value = new GrowArray(new Float64Array(1 << 16), (n) => new Float64Array(n));
  const time = new GrowArray(new Float64Array(1 << 16), (n) => new Float64Array(n));
  const result = new GrowArray(new Uint8Array(1 << 16), (n) => new Uint8Array(n));
  const observations = scanCsv(
    join(dir, 'observation.csv'),
    ['member_id', 'code_system', 'code', 'value', 'effective_time', 'status'],
    (f) => {
      const m = index.get(f[0]!);
      if (m === undefined) throw new Error(`observation for unknown member ${f[0]}`);
      const key = `${f[1]}|${f[2]}`;
      let c = codeIndex.get(key);
      if (c === undefined) {
        c = codes.length;
        codes.push(key);
        codeIndex.set(key, c);
      }
      member.push(m);
      code.push(c);
      value.push(f[3] === '' ? Number.NaN : Number(f[3]));
      time.push(Date.parse(f[4]!));
      const s = f[5];
      result.push(s === 'final' || s === 'amended' || s === 'corrected' ? 1 : 0);
    },
  );
  return {
    memberIds,
    birthMs: Float64Array.from(birth),
    male: Uint8Array.from(male),
    obsMember: member.data.subarray(0, member.length),
    obsCode: code.data.subarray(0, code.length),
    obsValue: value.data.subarray(0, value.length),
    obsTime: time.data.subarray(0, time.length),
    obsResult: result.data.subarray(0, result.length),
    codes,
    observations,
  };
}

export interface PlainFeatures {
  age: Float64Array;
  hba1c: Float64Array;
  systolic: Float64Array;
  count12: Float64Array;
  systolicMean12: Float64Array;
}

/** One pass over the observations with per-member accumulators. */
export function queryPlain(t: PlainTables, asOf: string, windowStart: string): PlainFeatures {
  const n = t.memberIds.length;
  const asOfMs = Date.parse(`${asOf}T00:00:00Z`);
  const startMs = Date.parse(`${windowStart}T00:00:00Z`);
  const hba1cCode = t.codes.indexOf(`LOINC|${LOINC.hba1c}`);
  const sbpCode = t.codes.indexOf(`LOINC|${LOINC.systolic}`);
  const hba1c = new Float64Array(n).fill(Number.NaN);
  const hba1cAt = new Float64Array(n).fill(-Infinity);
  const systolic = new Float64Array(n).fill(Number.NaN);
  const systolicAt = new Float64Array(n).fill(-Infinity);
  const count12 = new Float64Array(n);
  const sbpSum = new Float64Array(n);
  const sbpN = new Float64Array(n);
  for (let i = 0; i < t.observations; i++) {
    const time = t.obsTime[i]!;
    const v = t.obsValue[i]!;
    if (time >= asOfMs || t.obsResult[i] === 0 || Number.isNaN(v)) continue;
    const m = t.obsMember[i]!;
    const c = t.obsCode[i]!;
    // Equal times: the later row wins (the SQL candidates break ties on observation_id instead).
    if (c === hba1cCode && time >= hba1cAt[m]!) {
      hba1cAt[m] = time;
      hba1c[m] = v;
    } else if (c === sbpCode && time >= systolicAt[m]!) {
      systolicAt[m] = time;
      systolic[m] = v;
    }
    if (time >= startMs) {
      count12[m]!++;
      if (c === sbpCode) {
        sbpSum[m]! += v;
        sbpN[m]!++;
      }
    }
  }
  const systolicMean12 = new Float64Array(n);
  for (let m = 0; m < n; m++) systolicMean12[m] = sbpN[m]! > 0 ? sbpSum[m]! / sbpN[m]! : Number.NaN;
  const asOfDate = new Date(asOfMs);
  const age = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    const b = new Date(t.birthMs[m]!);
    const beforeBirthday =
      asOfDate.getUTCMonth() < b.getUTCMonth() || (asOfDate.getUTCMonth() === b.getUTCMonth() && asOfDate.getUTCDate() < b.getUTCDate());
    age[m] = asOfDate.getUTCFullYear() - b.getUTCFullYear() - (beforeBirthday ? 1 : 0);
  }
  return { age, hba1c, systolic, count12, systolicMean12 };
}

/** Rows ordered by member_id (string order), like the SQL candidates. */
export function matrixPlain(t: PlainTables, f: PlainFeatures): { ids: string[]; matrix: FeatureMatrix } {
  const order = t.memberIds.map((_, i) => i).sort((a, b) => (t.memberIds[a]! < t.memberIds[b]! ? -1 : t.memberIds[a]! > t.memberIds[b]! ? 1 : 0));
  const cols = FEATURE_NAMES.length;
  const values = new Float64Array(order.length * cols);
  order.forEach((m, r) => {
    const o = r * cols;
    values[o] = f.age[m]!;
    values[o + 1] = t.male[m]!;
    values[o + 2] = f.hba1c[m]!;
    values[o + 3] = f.systolic[m]!;
    values[o + 4] = f.count12[m]!;
    values[o + 5] = f.systolicMean12[m]!;
  });
  return { ids: order.map((m) => t.memberIds[m]!), matrix: { rows: order.length, cols, values, featureNames: FEATURE_NAMES } };
}
