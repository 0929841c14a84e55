/**
 * Where the simulation puts its output: one text buffer per file, appended to by string
 * concatenation (the fastest way V8 builds large text), drained by the writer at the edge. The
 * simulation never sees a file; the writer never sees a member.
 */
import { ENTITY_NAMES, type EntityName } from '../../data-contracts/v1/index.ts';

/** Ground-truth files written beside the data (under `truth/`). */
export const TRUTH_FILES = ['outcomes', 'costs', 'defects'] as const;
export type TruthFile = (typeof TRUTH_FILES)[number];

/** Buffer positions: the entities in contract order, then the truth files. */
export const FILE_INDEX: Record<EntityName | TruthFile, number> = Object.fromEntries(
  [...ENTITY_NAMES, ...TRUTH_FILES].map((name, i) => [name, i]),
) as Record<EntityName | TruthFile, number>;
export const FILE_COUNT = ENTITY_NAMES.length + TRUTH_FILES.length;

/** Header lines of the truth CSV files. */
export const TRUTH_HEADERS: Record<TruthFile, string> = {
  outcomes: 'member_id,outcome,encounter_id,index_date,horizon_days,true_probability,realised,censored\n',
  costs: 'member_id,year,expected_cost,realised_cost\n',
  defects: 'entity,record_id,defect_class\n',
};

/**
 * Defect classes injected into the data (DOMAIN.md "Data rules": validate at ingestion,
 * de-duplicate). A correctly labelled HbA1c in mmol/mol is deliberately not among them: it is
 * valid data the loader must convert.
 */
export const DEFECT_CLASSES = ['missing-required', 'duplicate-row', 'out-of-range', 'hba1c-unit-mislabel', 'bp-swapped'] as const;
export type DefectClass = (typeof DEFECT_CLASSES)[number];

/** Node's unadvertised direct UTF-8 copy: `Buffer#write` spends most of its time parsing its arguments. */
interface FastWrite {
  utf8Write(text: string, offset: number): number;
}

/** Bytes per output block; a block is handed to the writer once it cannot take another row. */
const BLOCK_BYTES = 1 << 21;
/** Longest row (bytes) the simulation writes, with margin. */
const MAX_ROW_BYTES = 4096;

/**
 * Per-file output blocks and counters. Rows are copied into preallocated byte blocks at once
 * rather than kept as strings: millions of long-lived string fragments would make the garbage
 * collector the bottleneck. Full blocks wait in `ready` until the writer takes them.
 */
export class RowBuffers {
  private readonly blocks: Buffer[] = [];
  private readonly positions: number[] = new Array<number>(FILE_COUNT).fill(0);
  /** Full blocks in production order, with the file each belongs to. */
  private ready: { file: number; bytes: Buffer }[] = [];
  /** Data rows written per file (duplicates included; headers excluded). */
  readonly rows: number[] = new Array<number>(FILE_COUNT).fill(0);
  readonly defects: Record<DefectClass, number> = { 'missing-required': 0, 'duplicate-row': 0, 'out-of-range': 0, 'hba1c-unit-mislabel': 0, 'bp-swapped': 0 };
  /** HbA1c rows written in mmol/mol with the correct unit (valid data needing conversion). */
  hba1cMmolPerMolRows = 0;

  constructor() {
    for (let f = 0; f < FILE_COUNT; f++) this.blocks.push(Buffer.allocUnsafe(BLOCK_BYTES));
  }

  /** Append text holding `rows` data rows (0 for a header) to a file. */
  add(file: number, text: string, rows = 1): void {
    let pos = this.positions[file]!;
    let block = this.blocks[file]!;
    if (pos + Math.max(MAX_ROW_BYTES, text.length * 3) > block.length) {
      this.ready.push({ file, bytes: block.subarray(0, pos) });
      block = this.blocks[file] = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, text.length * 3));
      pos = 0;
    }
    this.positions[file] = pos + (block as unknown as FastWrite).utf8Write(text, pos);
    this.rows[file]! += rows;
  }

  /** Take the full blocks (and, with `all`, the partly filled ones too), in production order. */
  take(all: boolean): { file: number; bytes: Buffer }[] {
    if (all) {
      for (let f = 0; f < FILE_COUNT; f++) {
        const pos = this.positions[f]!;
        if (pos === 0) continue;
        this.ready.push({ file: f, bytes: this.blocks[f]!.subarray(0, pos) });
        this.blocks[f] = Buffer.allocUnsafe(BLOCK_BYTES);
        this.positions[f] = 0;
      }
    }
    const out = this.ready;
    this.ready = [];
    return out;
  }

  /** The text buffered so far for one file, taking it (for tests and small in-memory runs). */
  takeText(file: number): string {
    const parts = this.take(true);
    let text = '';
    const keep: { file: number; bytes: Buffer }[] = [];
    for (const p of parts) {
      if (p.file === file) text += p.bytes.toString('utf8');
      else keep.push(p);
    }
    this.ready = keep;
    return text;
  }
}
