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

/** Bytes per output block; a block is handed on once it cannot take the next text. */
const BLOCK_BYTES = 1 << 22;
/**
 * Rows joined into one string before they are copied into a block. Each copy first flattens its
 * concatenated string and pays a native call; copying a dozen rows at once halves that cost.
 */
const ROWS_PER_COPY = 12;

/**
 * The output of one chunk of members: each file's bytes (empty when the chunk wrote nothing
 * there) and the counters of those bytes. Every byte array owns its `ArrayBuffer`, so a worker
 * thread can transfer it to the writer without a copy.
 */
export interface ChunkOutput {
  files: Uint8Array[];
  rows: number[];
  defects: Record<DefectClass, number>;
  hba1cMmolPerMolRows: number;
}

const noDefects = (): Record<DefectClass, number> => ({ 'missing-required': 0, 'duplicate-row': 0, 'out-of-range': 0, 'hba1c-unit-mislabel': 0, 'bp-swapped': 0 });

/**
 * Per-file output blocks and counters. Rows are copied into preallocated byte blocks at once
 * rather than kept as strings: millions of long-lived string fragments would make the garbage
 * collector the bottleneck. `takeChunk` hands everything written since the last call to the
 * writer and reuses the blocks.
 */
export class RowBuffers {
  private readonly blocks: Buffer[] = [];
  private readonly positions: number[] = new Array<number>(FILE_COUNT).fill(0);
  /** Blocks that filled up since the last `takeChunk`, per file, in order. */
  private full: Buffer[][] = Array.from({ length: FILE_COUNT }, () => []);
  /** Text added but not yet copied into a block, per file, and how many `add` calls it holds. */
  private readonly pending: string[] = new Array<string>(FILE_COUNT).fill('');
  private readonly pendingAdds = new Int32Array(FILE_COUNT);
  /** Data rows written per file since the last `takeChunk` (duplicates included; headers excluded). */
  rows: number[] = new Array<number>(FILE_COUNT).fill(0);
  defects: Record<DefectClass, number> = noDefects();
  /** HbA1c rows written in mmol/mol with the correct unit (valid data needing conversion). */
  hba1cMmolPerMolRows = 0;

  constructor() {
    for (let f = 0; f < FILE_COUNT; f++) this.blocks.push(Buffer.allocUnsafe(BLOCK_BYTES));
  }

  /** Append text holding `rows` data rows (0 for a header) to a file. */
  add(file: number, text: string, rows = 1): void {
    this.rows[file]! += rows;
    const joined = this.pending[file] + text;
    if (++this.pendingAdds[file]! < ROWS_PER_COPY) {
      this.pending[file] = joined;
      return;
    }
    this.pending[file] = '';
    this.pendingAdds[file] = 0;
    this.copy(file, joined);
  }

  private copy(file: number, text: string): void {
    let pos = this.positions[file]!;
    let block = this.blocks[file]!;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (pos + text.length * 3 > block.length) {
      this.full[file]!.push(block.subarray(0, pos));
      block = this.blocks[file] = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, text.length * 3));
      pos = 0;
    }
    this.positions[file] = pos + (block as unknown as FastWrite).utf8Write(text, pos);
  }

  /** Everything written since the last call (copied out, so the blocks can be reused), with its counters. */
  takeChunk(): ChunkOutput {
    const files: Uint8Array[] = [];
    for (let f = 0; f < FILE_COUNT; f++) {
      if (this.pendingAdds[f]) {
        this.copy(f, this.pending[f]!);
        this.pending[f] = '';
        this.pendingAdds[f] = 0;
      }
      const parts = this.full[f]!;
      const pos = this.positions[f]!;
      let length = pos;
      for (const p of parts) length += p.length;
      const bytes = new Uint8Array(length);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      bytes.set(this.blocks[f]!.subarray(0, pos), at);
      files.push(bytes);
      this.full[f] = [];
      this.positions[f] = 0;
    }
    const out: ChunkOutput = { files, rows: this.rows, defects: this.defects, hba1cMmolPerMolRows: this.hba1cMmolPerMolRows };
    this.rows = new Array<number>(FILE_COUNT).fill(0);
    this.defects = noDefects();
    this.hba1cMmolPerMolRows = 0;
    return out;
  }
}

/** Running totals of the chunks a run has written. */
export class OutputTotals {
  readonly rows: number[] = new Array<number>(FILE_COUNT).fill(0);
  readonly defects: Record<DefectClass, number> = noDefects();
  hba1cMmolPerMolRows = 0;

  add(chunk: Pick<ChunkOutput, 'rows' | 'defects' | 'hba1cMmolPerMolRows'>): void {
    for (let f = 0; f < FILE_COUNT; f++) this.rows[f]! += chunk.rows[f]!;
    for (const cls of DEFECT_CLASSES) this.defects[cls] += chunk.defects[cls];
    this.hba1cMmolPerMolRows += chunk.hba1cMmolPerMolRows;
  }
}
