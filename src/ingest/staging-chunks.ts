/**
 * The loader's per-row work, without the database: read one entity file, validate every row and
 * turn it into staging chunks (CSV text for `COPY ... (FORMAT csv)` plus the chunk's reject rows).
 * Runs in the main thread or in a worker thread (stage-worker.ts); either way the chunks and their
 * bytes are the same.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { contractColumns, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import { parseCsvRecord, readCsvRecords } from './csv.ts';
import { headerIndex, rowDecoder, stagingLine, stagingLineEncoder, type StagingLineEncoder } from './decode.ts';
import { DuplicateSieve } from './duplicate-sieve.ts';

/** Raw text kept in a reject row, enough to recognise the record without storing whole files. */
const RAW_REJECT_LIMIT = 2000;
/** Staging lines joined into one string at a time while a chunk is built. */
const SEAL_LINES = 512;

/** One file to turn into staging chunks. */
export interface StagingJob {
  entity: EntityName;
  file: string;
  loadId: string;
  /** Data records already staged by an earlier run (skipped, not re-read into chunks). */
  skipRecords: number;
  /** Records per chunk (one transaction each). */
  chunkRows: number;
}

/** One chunk of a file: staged and recorded in a single transaction. */
export interface StagingChunk {
  /** Accepted rows as staging CSV, in pieces of whole lines (see `stagingLine`). */
  text: string[];
  /** load_reject rows (load_id, entity, source_line, record_id, field, rule, message, raw). */
  rejects: unknown[][];
  /** Records read, accepted, rejected (a record with several violations counts once) and converted. */
  rows: number;
  accepted: number;
  rejectedRows: number;
  converted: number;
  /** The file's last chunk (possibly empty). */
  last: boolean;
}

/**
 * The staging chunks of `job.file`. Returns, when the generator finishes, every key that may
 * occur more than once among the accepted rows (DuplicateSieve), or null when that is not known:
 * the file was resumed midway, or held more keys than the sieve.
 */
export async function* stagingChunks(job: StagingJob): AsyncGenerator<StagingChunk, string[] | null> {
  const { entity, file, loadId, skipRecords, chunkRows } = job;
  const columns = contractColumns(entity).map((c) => c.name);
  const pkAt = columns.indexOf(PRIMARY_KEY[entity]);
  const sourceFile = path.basename(file);
  const lineage = [loadId, sourceFile];
  // Only a file read from its first line here can say which of its keys repeat.
  let sieve: DuplicateSieve | null = null;
  let pkField = -1;
  let decode: ReturnType<typeof rowDecoder> | null = null;
  let encoder: StagingLineEncoder | null = null;

  let text: string[] = [];
  let lines: string[] = [];
  let rejects: unknown[][] = [];
  let rows = 0;
  let accepted = 0;
  let rejectedRows = 0;
  let converted = 0;

  // Lines are joined into one string a few hundred at a time, so a chunk holds a handful of
  // strings rather than one per row, and the young generation never has to keep thousands alive.
  const seal = () => {
    if (lines.length) text.push(lines.join('\n') + '\n');
    lines = [];
  };
  const take = (last: boolean): StagingChunk => {
    seal();
    const chunk = { text, rejects, rows, accepted, rejectedRows, converted, last };
    text = [];
    rejects = [];
    rows = accepted = rejectedRows = converted = 0;
    return chunk;
  };

  for await (const batch of readCsvRecords(file, { skipRecords })) {
    if ('header' in batch) {
      const index = headerIndex(entity, batch.header, sourceFile);
      decode = rowDecoder(entity, index, batch.header.length);
      encoder = stagingLineEncoder(entity, index, batch.header.length, lineage);
      pkField = index[pkAt]!;
      continue;
    }
    if (sieve === null && skipRecords === 0) sieve = new DuplicateSieve(estimateRecords(file, batch.texts));
    const { texts, lines: starts } = batch;
    for (let i = 0; i < texts.length; i++) {
      const raw = texts[i]!;
      const line = starts[i]!;
      const fields = parseCsvRecord(raw);
      rows++;
      // The common case: a valid row straight to its staging line. Otherwise the full decoder
      // accepts the row (e.g. a number spelt unusually) or names each violation.
      const staged = encoder!.encode(fields, raw, line);
      if (staged !== null) {
        lines.push(staged);
        sieve?.add(fields[pkField]!);
        accepted++;
        if (encoder!.converted) converted++;
      } else {
        const decoded = decode!(fields, line);
        if (decoded.ok) {
          lines.push(stagingLine(decoded.values, lineage, line));
          sieve?.add(String(decoded.values[pkAt]));
          accepted++;
          if (decoded.converted) converted++;
        } else {
          const kept = raw.length > RAW_REJECT_LIMIT ? raw.slice(0, RAW_REJECT_LIMIT) : raw;
          for (const v of decoded.violations) rejects.push([loadId, entity, line, decoded.recordId, v.path, v.rule, v.message, kept]);
          rejectedRows++;
        }
      }
      if (lines.length >= SEAL_LINES) seal();
      if (rows >= chunkRows) yield take(false);
    }
  }
  yield take(true);
  if (skipRecords > 0 || sieve?.overflowed) return null;
  return [...(sieve?.candidates ?? [])];
}

/** Roughly how many records `file` holds, from its size and the length of its first records. */
function estimateRecords(file: string, sample: readonly string[]): number {
  let chars = 0;
  for (const t of sample) chars += t.length + 1;
  return Math.ceil((statSync(file).size / Math.max(1, chars)) * sample.length * 1.2);
}
