/**
 * Tables for training: the population's CSV files (one per contract entity, header = contract
 * field names) loaded into an embedded DuckDB database, shaped with SQL, and handed out as a
 * dense `FeatureMatrix`. DuckDB was chosen by measurement (docs/decisions/0001-data-frames.md).
 * This is an I/O edge (it reads files); the feature definitions themselves are pure SQL text
 * from `feature-sql.ts`.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { ENTITY_NAMES, type EntityName } from '../../data-contracts/v1/entities.ts';
import type { FeatureMatrix } from '../models/risk-model.ts';
import { typedColumns } from './column-types.ts';
import { FramesError } from './errors.ts';
import { memberFeatureSql, type MemberFeatureSpec } from './feature-sql.ts';

export interface OpenFramesOptions {
  /** Entities to load (default: every contract entity whose `<entity>.csv` is in the folder). */
  entities?: readonly EntityName[];
  /** Worker threads for DuckDB (default 2: the machines here have 2 cores, shared). */
  threads?: number;
  /** DuckDB memory limit, e.g. '4GB'; past it DuckDB spills to `tempDirectory`. */
  memoryLimit?: string;
  /** Where DuckDB may spill (default: DuckDB's own, beside the database). */
  tempDirectory?: string;
}

/** A feature matrix with the row identifiers it was built for, in row order. */
export interface KeyedFeatureMatrix {
  ids: string[];
  matrix: FeatureMatrix;
}

const NUMERIC_TYPES = /^(DOUBLE|FLOAT|REAL|BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|BOOLEAN|DECIMAL\(\d+,\d+\))$/;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The first line of a file, without reading the rest of it. */
function readHeader(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    return end === -1 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}

function plain(value: DuckDBValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value !== null && typeof value === 'object' && 'toString' in value) return String(value);
  return value;
}

/** Loaded tables and the operations training uses on them. Close it when done. */
export class Frames {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** The entities loaded, in contract load order. */
    readonly entities: readonly EntityName[],
  ) {}

  /** @internal Use `openFrames`. */
  static async create(dir: string, options: OpenFramesOptions): Promise<Frames> {
    const wanted = options.entities ?? ENTITY_NAMES.filter((e) => existsSync(join(dir, `${e}.csv`)));
    for (const entity of wanted) {
      if (!existsSync(join(dir, `${entity}.csv`))) throw new FramesError('MISSING_TABLE', `${entity}.csv is not in the population folder`);
    }
    const config: Record<string, string> = { threads: String(options.threads ?? 2) };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    // Date-times compare as instants; UTC so no session zone shifts a day boundary.
    await connection.run(`SET TimeZone = 'UTC'`);
    const frames = new Frames(instance, connection, ENTITY_NAMES.filter((e) => wanted.includes(e)));
    try {
      for (const entity of frames.entities) await frames.load(entity, join(dir, `${entity}.csv`));
    } catch (error) {
      frames.close();
      throw error;
    }
    return frames;
  }

  private async load(entity: EntityName, path: string): Promise<void> {
    const columns = typedColumns(entity);
    const header = readHeader(path).split(',');
    const known = new Set(columns.map((c) => c.name));
    const unknown = header.filter((name) => !known.has(name));
    // A file written before a nullable field was added to the contract still loads (the field is
    // NULL); a missing required field or a column the contract does not know is refused.
    const missing = columns.filter((c) => !header.includes(c.name) && !c.nullable).map((c) => c.name);
    if (unknown.length > 0 || missing.length > 0 || new Set(header).size !== header.length) {
      throw new FramesError(
        'HEADER_MISMATCH',
        `${entity}.csv header does not match contract v1 (unknown: ${unknown.join(',') || 'none'}; missing: ${missing.join(',') || 'none'}; repeated names: ${new Set(header).size !== header.length})`,
      );
    }
    const byName = new Map(columns.map((c) => [c.name, c]));
    const fileTypes = `{${header.map((name) => `${quoteText(name)}: ${quoteText(byName.get(name)!.sqlType)}`).join(', ')}}`;
    const select = columns.map((c) => (header.includes(c.name) ? quoteIdent(c.name) : `CAST(NULL AS ${c.sqlType}) AS ${quoteIdent(c.name)}`));
    // Types come from the contract, never sniffed; an empty field is NULL (the generator's and
    // loader's encoding of null). Insertion order is preserved, so row order is the file's.
    const sql = `CREATE TABLE ${quoteIdent(entity)} AS SELECT ${select.join(', ')} FROM read_csv(${quoteText(path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = '', columns = ${fileTypes})`;
    try {
      await this.connection.run(sql);
    } catch (error) {
      throw new FramesError('LOAD_FAILED', `${entity}.csv could not be loaded: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  private live(): DuckDBConnection {
    if (this.closed) throw new FramesError('CLOSED', 'these frames are closed');
    return this.connection;
  }

  /** Number of rows loaded for an entity. */
  async rowCount(entity: EntityName): Promise<number> {
    if (!this.entities.includes(entity)) throw new FramesError('MISSING_TABLE', `${entity} was not loaded`);
    const reader = await this.live().runAndReadAll(`SELECT count(*) FROM ${quoteIdent(entity)}`);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /**
   * Run any DuckDB SQL over the loaded tables (each entity is a table of its name) and return
   * plain row objects: BIGINT as number, dates and decimals as text. For small results; big
   * ones go through `toFeatureMatrix`. Add ORDER BY when row order matters: without it,
   * parallel execution may return rows in any order.
   */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.live().runAndReadAll(sql);
    return reader.getRowObjects().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  }

  /**
   * Run `sql` and return its numeric columns as a dense row-major Float64Array (NULL -> NaN),
   * with the `idColumn` values alongside. Rows are ordered by `idColumn` (which must be unique)
   * so the matrix is the same on every run whatever the thread count.
   */
  async toFeatureMatrix(sql: string, idColumn: string): Promise<KeyedFeatureMatrix> {
    const connection = this.live();
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM (${sql})`)).getRowObjects();
    const names = described.map((r) => String(r.column_name));
    if (!names.includes(idColumn)) throw new FramesError('INVALID_SPEC', `the query has no column ${idColumn}`);
    const featureNames: string[] = [];
    for (const row of described) {
      const name = String(row.column_name);
      if (name === idColumn) continue;
      if (!NUMERIC_TYPES.test(String(row.column_type))) throw new FramesError('NOT_NUMERIC', `column ${name} is ${String(row.column_type)}, not numeric`);
      featureNames.push(name);
    }
    const cols = featureNames.length;
    const casts = featureNames.map((n) => `CAST(${quoteIdent(n)} AS DOUBLE)`);
    const result = await connection.stream(
      `SELECT CAST(${quoteIdent(idColumn)} AS VARCHAR), ${casts.join(', ')} FROM (${sql}) ORDER BY ${quoteIdent(idColumn)}`,
    );
    const ids: string[] = [];
    let values = new Float64Array(Math.max(1024, cols) * 1024);
    let rows = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const n = chunk.rowCount;
      if ((rows + n) * cols > values.length) {
        const grown = new Float64Array(Math.max(values.length * 2, (rows + n) * cols));
        grown.set(values);
        values = grown;
      }
      const idVector = chunk.getColumnVector(0);
      for (let i = 0; i < n; i++) {
        const id = idVector.getItem(i);
        if (id === null) throw new FramesError('INVALID_SPEC', `column ${idColumn} has a NULL`);
        if (ids.length > 0 && ids[ids.length - 1] === id) throw new FramesError('DUPLICATE_ID', `${idColumn} ${String(id)} appears on more than one row`);
        ids.push(String(id));
      }
      for (let j = 0; j < cols; j++) {
        const vector = chunk.getColumnVector(j + 1);
        for (let i = 0; i < n; i++) {
          const v = vector.getItem(i);
          values[(rows + i) * cols + j] = v === null ? Number.NaN : (v as number);
        }
      }
      rows += n;
    }
    return { ids, matrix: { rows, cols, values: values.slice(0, rows * cols), featureNames } };
  }

  /** The member feature table for `spec` (see `memberFeatureSql`) as a matrix, one row per member. */
  async memberFeatures(spec: MemberFeatureSpec): Promise<KeyedFeatureMatrix> {
    return this.toFeatureMatrix(memberFeatureSql(spec), 'member_id');
  }

  /** Release the database and its memory. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Load a population folder's CSV files (contract v1 headers) into memory for training. */
export function openFrames(dir: string, options: OpenFramesOptions = {}): Promise<Frames> {
  return Frames.create(dir, options);
}
