/**
 * The only place in Stratum that opens database connections. One SQL dialect, two engines:
 * embedded PGlite (PostgreSQL 18 in WASM, single connection) by default so the service starts on
 * a bare machine, and node-postgres against a real PostgreSQL when DATABASE_URL is set.
 * See docs/decisions/0002-store-engines.md for the choices and measured bulk-load speeds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite, TransactionAbortedError } from '@electric-sql/pglite';
import type { Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Env } from '../config/env.ts';
import { copyTextChunks } from './copy-text.ts';
import {
  DatabaseClosedError,
  DatabaseError,
  TransactionClosedError,
  TransactionMisuseError,
  toStoreError,
} from './errors.ts';

/** Which engine a Database runs on. */
export type Engine = 'pglite' | 'postgres';

/** Result of one statement; `rowCount` is the command tag's count (rows returned or changed). */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** A row source for bulk loads: an array or an async stream of rows, values in column order. */
export type CopyRows = AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>;

/** Text for `copyText`: strings or UTF-8 bytes, read one after another as a single stream. */
export type CopyText = readonly (string | Uint8Array)[];

/** How `copyText` reads its text. */
export interface CopyTextOptions {
  /** PostgreSQL COPY format: 'text' (default) or 'csv'. */
  format?: 'text' | 'csv';
}

/** How `query` runs a statement. */
export interface QueryOptions {
  /**
   * PostgreSQL: keep the statement parsed and planned on each connection (a named prepared
   * statement), for hot statements whose planning costs more than their run (the record read,
   * the shared score write). PGlite ignores it.
   */
  prepare?: boolean;
}

/** What both a database and an open transaction can do. */
export interface Queryable {
  /** Run one `$1`-parameterised statement. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
  /** Run a script of several statements (no parameters), e.g. a migration file. */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-load rows into `table` (optionally `schema.table`) via COPY; returns the rows written.
   * Atomic: either every row lands or none does.
   */
  copyFrom(table: string, columns: readonly string[], rows: CopyRows): Promise<number>;
  /**
   * Bulk-load rows already encoded for COPY: `text` is read as one stream (its pieces may split
   * anywhere; together they are whole lines) in PostgreSQL's text format (copy-text.ts) or, with
   * `format: 'csv'`, its CSV format (an unquoted empty field is NULL). Pieces are strings or UTF-8
   * bytes. For callers that build the text faster than values -> `copyFrom` would (the loader);
   * returns the rows written. Atomic.
   */
  copyText(table: string, columns: readonly string[], text: CopyText, options?: CopyTextOptions): Promise<number>;
}

/** A connection to the store. */
export interface Database extends Queryable {
  readonly engine: Engine;
  /**
   * Run `fn` in BEGIN/COMMIT; any error rolls back and is rethrown. Use only `tx` inside `fn`:
   * calling this Database from inside throws TransactionMisuseError. Nesting is not supported.
   * On PGlite concurrent transactions queue (one connection); on PostgreSQL each takes a pooled
   * connection.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Release connections; the handle is unusable afterwards. */
  close(): Promise<void>;
}

/** How to open the store. */
export interface DatabaseOptions {
  /** PostgreSQL connection string; when set, node-postgres is used instead of PGlite. */
  databaseUrl?: string | undefined;
  /**
   * Stratum's data directory; PGlite keeps its files in `<dataDir>/pglite`. When omitted (and no
   * databaseUrl), PGlite runs in memory, which is what tests want.
   */
  dataDir?: string | undefined;
  /** PostgreSQL pool size (default 10). Ignored for PGlite, which has exactly one connection. */
  poolSize?: number;
  /**
   * PostgreSQL only: schema search path set on every pooled connection at connect time (tests use
   * a throw-away schema per suite).
   */
  searchPath?: string;
  /** PostgreSQL only: called when an idle pooled connection fails (the pool replaces it). */
  onIdleConnectionError?: (error: Error) => void;
  /**
   * In-memory PGlite only: start from this dumped data directory (see `dumpFreshPGliteDataDir`)
   * instead of running initdb, which is most of PGlite's start-up time. Tests use it.
   */
  pgliteTemplate?: Blob;
}

/** Rows per COPY chunk: bounds memory on both engines; PGlite loads each chunk as one blob. */
const COPY_ROWS_PER_CHUNK = 20_000;
const DEFAULT_POOL_SIZE = 10;

/** Open the store the options call for: PostgreSQL when `databaseUrl` is set, otherwise PGlite. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPGlite(options.dataDir, options.pgliteTemplate);
}

/**
 * A freshly initialised, empty PGlite data directory as an uncompressed tarball, to pass back as
 * `pgliteTemplate`. Loading it measured ~4x faster than a fresh start (ADR 0002).
 */
export async function dumpFreshPGliteDataDir(): Promise<Uint8Array> {
  const pglite = await PGlite.create();
  try {
    const dump = await pglite.dumpDataDir('none');
    return new Uint8Array(await dump.arrayBuffer());
  } finally {
    await pglite.close();
  }
}

/** The options the environment calls for (DATABASE_URL, STRATUM_DATA_DIR). */
export function databaseOptionsFromEnv(env: Pick<Env, 'DATABASE_URL' | 'STRATUM_DATA_DIR'>): DatabaseOptions {
  return { databaseUrl: env.DATABASE_URL, dataDir: env.STRATUM_DATA_DIR };
}

/** A connection URL fit for a log line or a message: any user and password replaced by `***`. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Why the PostgreSQL at `url` cannot be used (connect, then `SELECT 1`), or undefined when it answers. */
export async function postgresUnreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Quote an identifier, allowing one `schema.` qualifier. */
export function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => '"' + part.replace(/"/g, '""') + '"')
    .join('.');
}

function copyStatement(table: string, columns: readonly string[], source: string, options: CopyTextOptions = {}): string {
  const format = options.format === 'csv' ? ' (FORMAT csv)' : '';
  return `COPY ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM ${source}${format}`;
}

/**
 * Type parsing made the same on both engines, so callers never branch on the engine:
 * - int8 (count(*), bigserial) -> number. pg would give a string, PGlite a number; every int8 in
 *   this schema is a count or a surrogate id far below 2^53.
 * - date -> 'YYYY-MM-DD' string. pg would build a Date at *local* midnight, PGlite at UTC
 *   midnight; a calendar date (date of service, birth date) has no time zone.
 * - numeric stays a string on both (exact; hand it to decimal.js).
 */
const OID = { int8: 20, int8Array: 1016, date: 1082, dateArray: 1182, textArray: 1009 } as const;

function toNumber(text: string): number {
  return Number(text);
}

// pg-types declares only scalar OIDs in its TypeId enum; array OIDs are valid at run time.
const builtinParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (format === undefined || format === 'text') {
      if (oid === OID.int8) return toNumber;
      if (oid === OID.int8Array) {
        const parseArray = builtinParser(OID.int8Array) as (value: string) => unknown[];
        return (value) => parseArray(value).map((v) => (v === null ? null : Number(v)));
      }
      if (oid === OID.date) return (value) => value;
      if (oid === OID.dateArray) return builtinParser(OID.textArray);
    }
    return builtinParser(oid, format ?? 'text');
  },
};

const pgliteParsers = {
  [OID.int8]: toNumber,
  [OID.date]: (value: string) => value,
};

/**
 * Guards against using the Database handle inside its own transaction callback: the store runs
 * each callback inside this context and every connection-level call checks it.
 */
const insideTransaction = new AsyncLocalStorage<true>();

function assertNotInTransaction(operation: string): void {
  if (insideTransaction.getStore()) throw new TransactionMisuseError(operation);
}

/** Make a transaction handle that refuses use once the transaction has ended. */
function guardedHandle(inner: Queryable): { handle: Queryable; end: () => void } {
  let ended = false;
  const check = (): void => {
    if (ended) throw new TransactionClosedError();
  };
  return {
    handle: {
      query: async (sql, params, options) => (check(), inner.query(sql, params, options)),
      exec: async (sql) => (check(), inner.exec(sql)),
      copyFrom: async (table, columns, rows) => (check(), inner.copyFrom(table, columns, rows)),
      copyText: async (table, columns, text, options) => (check(), inner.copyText(table, columns, text, options)),
    },
    end: () => {
      ended = true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PGlite

async function openPGlite(dataDir: string | undefined, template: Blob | undefined): Promise<Database> {
  let pglite: PGlite;
  try {
    if (dataDir === undefined) {
      pglite = await PGlite.create({ parsers: pgliteParsers, ...(template ? { loadDataDir: template } : {}) });
    } else {
      const dir = join(dataDir, 'pglite');
      await mkdir(dir, { recursive: true });
      pglite = await PGlite.create({ dataDir: dir, parsers: pgliteParsers });
    }
  } catch (error) {
    throw toStoreError(error);
  }
  return new PGliteDatabase(pglite);
}

/** Statements issued through a PGlite instance or one of its transactions. */
interface PGliteRunner {
  query: PGliteTransaction['query'];
  exec: PGliteTransaction['exec'];
}

function pgliteQueryable(runner: PGliteRunner): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      try {
        const result = await runner.query<T>(sql, params ? [...params] : undefined);
        return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await runner.exec(sql);
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async copyFrom(table, columns, rows) {
      // COPY from an in-memory blob measured ~3x faster than multi-row INSERT on PGlite (ADR 0002).
      // Runs on a transaction's runner only (PGliteDatabase.copyFrom opens one), so the chunks
      // land together or not at all.
      const statement = copyStatement(table, columns, `'/dev/blob'`);
      let written = 0;
      for await (const chunk of copyTextChunks(rows, columns.length, COPY_ROWS_PER_CHUNK)) {
        try {
          const result = await runner.query(statement, [], { blob: new Blob([chunk.text]) });
          written += result.rowCount ?? result.affectedRows ?? chunk.rowCount;
        } catch (error) {
          throw toStoreError(error);
        }
      }
      return written;
    },
    async copyText(table, columns, text, options) {
      if (text.length === 0) return 0;
      try {
        const result = await runner.query(copyStatement(table, columns, `'/dev/blob'`, options), [], { blob: new Blob(text as (string | Uint8Array)[]) });
        return result.rowCount ?? result.affectedRows ?? 0;
      } catch (error) {
        throw toStoreError(error);
      }
    },
  };
}

class PGliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  readonly #pglite: PGlite;
  readonly #direct: Queryable;
  #closed = false;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#direct = pgliteQueryable(pglite);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    this.#check('query');
    // PGlite re-plans every statement: `options.prepare` does not apply.
    return this.#direct.query<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.#check('exec');
    return this.#direct.exec(sql);
  }

  async copyFrom(table: string, columns: readonly string[], rows: CopyRows): Promise<number> {
    this.#check('copyFrom');
    // Several COPY chunks must be one unit, so a connection-level copyFrom opens a transaction.
    return this.transaction((tx) => tx.copyFrom(table, columns, rows));
  }

  async copyText(table: string, columns: readonly string[], text: CopyText, options?: CopyTextOptions): Promise<number> {
    this.#check('copyText');
    return this.#direct.copyText(table, columns, text, options);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.#check('transaction');
    // Errors thrown by `fn` (domain errors included) reach the caller unchanged; only failures
    // of BEGIN/COMMIT themselves are wrapped.
    let callbackError: { error: unknown } | undefined;
    try {
      // PGlite's own transaction() holds its single connection's mutex for the whole callback,
      // so concurrent callers queue instead of interleaving statements, and it rolls back on error.
      return await this.#pglite.transaction(async (pgliteTx) => {
        const guarded = guardedHandle(pgliteQueryable(pgliteTx));
        try {
          return await insideTransaction.run(true, () => fn(guarded.handle));
        } catch (error) {
          callbackError = { error };
          throw error;
        } finally {
          guarded.end();
        }
      });
    } catch (error) {
      if (callbackError && callbackError.error === error) throw error;
      if (error instanceof TransactionAbortedError) throw transactionAbortedError();
      throw toStoreError(error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pglite.close();
  }

  #check(operation: string): void {
    if (this.#closed) throw new DatabaseClosedError();
    assertNotInTransaction(operation);
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (node-postgres)

function openPostgres(databaseUrl: string, options: DatabaseOptions): Database {
  // The path goes into a libpq startup option string, where spaces and backslashes are special.
  if (options.searchPath !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]*(,[A-Za-z_][A-Za-z0-9_$]*)*$/.test(options.searchPath)) {
    throw new RangeError(`searchPath must be comma-separated plain identifiers, got ${JSON.stringify(options.searchPath)}`);
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    types: pgTypes,
    // Startup option, so the path holds on every pooled connection without an extra round trip.
    ...(options.searchPath !== undefined ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // Without a listener an idle connection's failure (server restart) would crash the process;
  // the pool discards that client and the next query reports any lasting problem.
  pool.on('error', (error) => options.onIdleConnectionError?.(error));
  return new PostgresDatabase(pool);
}

/**
 * A statement as node-postgres runs it: named when prepared, the name derived from the text so
 * one name never stands for two statements (node-postgres prepares a name once per connection).
 */
function pgStatement(sql: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): pg.QueryConfig {
  const values = params ? [...params] : undefined;
  if (!options?.prepare) return { text: sql, ...(values ? { values } : {}) };
  let name = preparedNames.get(sql);
  if (name === undefined) {
    name = `stratum_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    preparedNames.set(sql, name);
  }
  return { name, text: sql, ...(values ? { values } : {}) };
}
/** Names of the prepared statements (a handful of fixed texts), by text. */
const preparedNames = new Map<string, string>();

function clientQueryable(client: pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>> {
      try {
        const result = await client.query(pgStatement(sql, params, options));
        return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // No parameters: node-postgres uses the simple-query protocol, which runs several statements.
        await client.query(sql);
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async copyFrom(table, columns, rows) {
      const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
      const source = Readable.from(
        (async function* () {
          for await (const chunk of copyTextChunks(rows, columns.length, COPY_ROWS_PER_CHUNK)) yield chunk.text;
        })(),
      );
      try {
        // One COPY statement: atomic on its own, in or out of a transaction.
        await pipeline(source, stream);
      } catch (error) {
        throw toStoreError(error);
      }
      return stream.rowCount;
    },
    async copyText(table, columns, text, options) {
      const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN', options)));
      try {
        await pipeline(Readable.from(text, { objectMode: false }), stream);
      } catch (error) {
        throw toStoreError(error);
      }
      return stream.rowCount;
    },
  };
}

/**
 * COMMIT of a transaction in which a statement failed (and `fn` swallowed the error) is answered
 * with a ROLLBACK tag, not an error; surface it like PGlite's TransactionAbortedError does.
 */
async function commit(client: pg.PoolClient): Promise<void> {
  let command: string;
  try {
    command = (await client.query('COMMIT')).command;
  } catch (error) {
    throw toStoreError(error);
  }
  if (command === 'ROLLBACK') throw transactionAbortedError();
}

function transactionAbortedError(): DatabaseError {
  return new DatabaseError(
    'transaction was rolled back because a statement in it failed',
    { code: SQLSTATE_IN_FAILED_TRANSACTION },
    undefined,
  );
}

/** 25P02 in_failed_sql_transaction. */
const SQLSTATE_IN_FAILED_TRANSACTION = '25P02';

class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>> {
    this.#check('query');
    try {
      const result = await this.#pool.query(pgStatement(sql, params, options));
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async exec(sql: string): Promise<void> {
    this.#check('exec');
    return this.#withClient((q) => q.exec(sql));
  }

  async copyFrom(table: string, columns: readonly string[], rows: CopyRows): Promise<number> {
    this.#check('copyFrom');
    return this.#withClient((q) => q.copyFrom(table, columns, rows));
  }

  async copyText(table: string, columns: readonly string[], text: CopyText, options?: CopyTextOptions): Promise<number> {
    this.#check('copyText');
    return this.#withClient((q) => q.copyText(table, columns, text, options));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.#check('transaction');
    const client = await this.#connect();
    const guarded = guardedHandle(clientQueryable(client));
    let broken: Error | undefined;
    try {
      await guarded.handle.exec('BEGIN');
      const result = await insideTransaction.run(true, () => fn(guarded.handle));
      await commit(client);
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back must not go back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      // Errors thrown by `fn` (domain errors included) reach the caller unchanged; the tx
      // handle has already wrapped driver errors.
      throw error;
    } finally {
      guarded.end();
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #withClient<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      return await work(clientQueryable(client));
    } catch (error) {
      // A COPY aborted mid-stream can leave the protocol out of step; don't reuse that client.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  #check(operation: string): void {
    if (this.#closed) throw new DatabaseClosedError();
    assertNotInTransaction(operation);
  }
}
