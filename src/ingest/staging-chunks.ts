/**
 * The loader's per-row work, without the database: read one entity file, validate every row and
 * turn it into staging chunks (CSV text for `COPY ... (FORMAT csv)` plus the chunk's reject rows).
 * Runs in the main thread or in a worker thread (stage-worker.ts); either way the chunks and their
 * bytes are the same.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { contractColumns, LOINC, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import { parseCsvRecord, readCsvRecords } from './csv.ts';
import { headerIndex, rowDecoder, stagingLine, stagingLineEncoder, type StagingLineEncoder } from './decode.ts';
import { DuplicateSieve } from './duplicate-sieve.ts';
import { SwappedPanelSieve } from './panel-sieve.ts';

/** Raw text kept in a reject row, enough to recognise the record without storing whole files. */
const RAW_REJECT_LIMIT = 2000;
/** Staging lines joined into one string at a time while a chunk is built. */
const SEAL_LINES = 512;
/** Beyond this many distinct members a file's list of them costs more memory than the SQL check saves. */
const MAX_SCREENED_MEMBERS = 5_000_000;

/** Each of its results owns its ArrayBuffer, so a staging thread can transfer it. */
const utf8 = new TextEncoder();

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
  /**
   * Accepted rows as staging CSV in UTF-8, in pieces of whole lines (see `stagingLine`). Bytes
   * rather than strings: a staging thread hands them to the loader's thread without a copy
   * (stage-worker.ts), and they go to the socket as they are, with no encoding on the event loop.
   */
  text: Uint8Array[];
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
 * What reading a whole file learnt about its accepted rows, so the checks at prepare need not
 * scan every staged row to find the few they remove. Each is null when not known: the file was
 * resumed midway (only a file read from its first line here can tell), or held more than the
 * screen keeps, or (members, swappedPanels) the check does not apply to the entity.
 */
export interface FileScreens {
  /** Every key that may occur more than once (DuplicateSieve). */
  repeated: string[] | null;
  /** Every member named: for the member file, the members of the load; for others, what the unknown-member check looks up. */
  members: string[] | null;
  /** Every blood-pressure panel that may hold a systolic half below a diastolic half (SwappedPanelSieve). */
  swappedPanels: string[] | null;
}

/** The staging chunks of `job.file`; returns, when the generator finishes, its screens. */
export async function* stagingChunks(job: StagingJob): AsyncGenerator<StagingChunk, FileScreens> {
  const { entity, file, loadId, skipRecords, chunkRows } = job;
  const columns = contractColumns(entity).map((c) => c.name);
  const pkAt = columns.indexOf(PRIMARY_KEY[entity]);
  const sourceFile = path.basename(file);
  const lineage = [loadId, sourceFile];
  // Only a file read from its first line here can say which of its keys repeat, which members it
  // names and which panels may be swapped.
  const whole = skipRecords === 0;
  let sieve: DuplicateSieve | null = null;
  const memberAt = columns.indexOf('member_id');
  let members = whole && memberAt >= 0 ? new Set<string>() : null;
  let lastMember: unknown = null;
  const [codeAt, valueAt, panelAt] = ['code', 'value', 'panel_id'].map((c) => columns.indexOf(c)) as [number, number, number];
  const panels = whole && entity === 'observation' && panelAt >= 0 ? new SwappedPanelSieve() : null;
  // Rows are screened from their staged values: converted units, nulls as staged.
  const screen = (values: readonly unknown[]) => {
    if (members) {
      const member = values[memberAt];
      // Files list a member's rows together: most rows repeat the last member.
      if (member !== lastMember && typeof member === 'string') {
        lastMember = member;
        members.add(member);
        if (members.size > MAX_SCREENED_MEMBERS) members = null;
      }
    }
    if (panels) {
      const panel = values[panelAt];
      const value = values[valueAt];
      if (typeof panel !== 'string' || panel === '' || typeof value !== 'number') return;
      const code = values[codeAt];
      if (code === LOINC.systolic) panels.add(panel, 'systolic', value);
      else if (code === LOINC.diastolic) panels.add(panel, 'diastolic', value);
    }
  };
  let decode: ReturnType<typeof rowDecoder> | null = null;
  let encoder: StagingLineEncoder | null = null;

  let text: Uint8Array[] = [];
  let lines: string[] = [];
  let rejects: unknown[][] = [];
  let rows = 0;
  let accepted = 0;
  let rejectedRows = 0;
  let converted = 0;

  // Lines are joined and encoded a few hundred at a time, so a chunk holds a handful of byte
  // pieces rather than a string per row, and the young generation never has to keep thousands alive.
  const seal = () => {
    if (lines.length) text.push(utf8.encode(lines.join('\n') + '\n'));
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
      decode = rowDecoder(entity, index, batch.header.length, false);
      encoder = stagingLineEncoder(entity, index, batch.header.length, lineage);
      continue;
    }
    if (sieve === null && whole) sieve = new DuplicateSieve(estimateRecords(file, batch.texts));
    const { texts, lines: starts } = batch;
    for (let i = 0; i < texts.length; i++) {
      const raw = texts[i]!;
      const line = starts[i]!;
      rows++;
      // The common case: a valid row straight to its staging line, read in place (encodeLine) or
      // split into fields. Otherwise the full decoder accepts the row (e.g. a number spelt
      // unusually) or names each violation.
      let staged = encoder!.encodeLine(raw, line);
      const fields = staged === null ? parseCsvRecord(raw) : null;
      if (fields) staged = encoder!.encode(fields, raw, line);
      if (staged !== null) {
        lines.push(staged);
        sieve?.add(encoder!.values[pkAt] as string);
        screen(encoder!.values);
        accepted++;
        if (encoder!.converted) converted++;
      } else {
        const decoded = decode!(fields!, line);
        if (decoded.ok) {
          lines.push(stagingLine(decoded.values, lineage, line));
          sieve?.add(String(decoded.values[pkAt]));
          screen(decoded.values);
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
  return {
    repeated: !whole || sieve?.overflowed ? null : [...(sieve?.candidates ?? [])],
    members: members && [...members],
    swappedPanels: panels && !panels.overflowed ? [...panels.candidates] : null,
  };
}

/** Roughly how many records `file` holds, from its size and the length of its first records. */
function estimateRecords(file: string, sample: readonly string[]): number {
  let chars = 0;
  for (const t of sample) chars += t.length + 1;
  return Math.ceil((statSync(file).size / Math.max(1, chars)) * sample.length * 1.2);
}
