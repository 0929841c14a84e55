/**
 * Typed errors of the store. Messages may reach logs and, through the HTTP error handler, clients,
 * so they never carry row values or query parameters (STYLE.md, MLflow habit): PostgreSQL's own
 * `detail` (which can quote key values such as member ids) is kept on a property, not in `message`.
 */

/** Base class of every store error; `code` is Stratum's stable machine-readable code. */
export class StoreError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Fields PostgreSQL attaches to an error response; both pg and PGlite expose them by these names. */
interface PostgresErrorFields {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  schema?: unknown;
}

/** A statement was rejected by the database (either engine). */
export class DatabaseError extends StoreError {
  /** Five-character SQLSTATE, e.g. `23505` unique_violation; undefined for connection-level failures. */
  readonly sqlState: string | undefined;
  /** PostgreSQL's detail line; may quote row values, so it is kept out of `message`. */
  readonly detail: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;

  constructor(message: string, fields: PostgresErrorFields, cause: unknown) {
    super('DATABASE_ERROR', message, { cause });
    this.sqlState = asText(fields.code);
    this.detail = asText(fields.detail);
    this.constraint = asText(fields.constraint);
    this.table = asText(fields.table);
    this.column = asText(fields.column);
  }

  /** 23505: a unique or primary-key constraint refused the row. */
  get isUniqueViolation(): boolean {
    return this.sqlState === '23505';
  }
}

/**
 * The connection-level handle was used inside `transaction()`. On PGlite that would deadlock
 * (the single connection is held by the transaction); on PostgreSQL it would silently run
 * outside the transaction. Use the `tx` handle passed to the callback instead.
 */
export class TransactionMisuseError extends StoreError {
  constructor(operation: string) {
    super(
      'TRANSACTION_MISUSE',
      `database.${operation}() called inside a transaction callback; use the tx handle passed to the callback`,
    );
  }
}

/** A transaction handle was used after its transaction committed or rolled back. */
export class TransactionClosedError extends StoreError {
  constructor() {
    super('TRANSACTION_CLOSED', 'transaction handle used after the transaction ended');
  }
}

/** The database handle was used after `close()`. */
export class DatabaseClosedError extends StoreError {
  constructor() {
    super('DATABASE_CLOSED', 'database used after close()');
  }
}

/** A value cannot be written by `copyFrom` (e.g. NaN, a function, a symbol). */
export class CopyValueError extends StoreError {
  constructor(message: string) {
    super('COPY_VALUE_INVALID', message);
  }
}

/** A migration file name does not match `NNN_name.sql`, or two files share a version. */
export class MigrationFileError extends StoreError {
  readonly file: string;

  constructor(file: string, message: string) {
    super('MIGRATION_FILE_INVALID', message);
    this.file = file;
  }
}

/** An already-applied migration's file changed since it was applied: history must not be rewritten. */
export class MigrationChecksumError extends StoreError {
  readonly file: string;
  readonly version: number;

  constructor(file: string, version: number, appliedChecksum: string, currentChecksum: string) {
    super(
      'MIGRATION_CHECKSUM_MISMATCH',
      `migration ${file} (version ${version}) was changed after it was applied ` +
        `(applied sha256 ${appliedChecksum.slice(0, 12)}, file now ${currentChecksum.slice(0, 12)}); ` +
        'add a new migration instead of editing an applied one',
    );
    this.file = file;
    this.version = version;
  }
}

/** A migration's SQL failed; its transaction was rolled back and later migrations were not run. */
export class MigrationFailedError extends StoreError {
  readonly file: string;
  readonly sqlState: string | undefined;

  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('MIGRATION_FAILED', `migration ${file} failed and was rolled back: ${reason}`, { cause });
    this.file = file;
    this.sqlState = cause instanceof DatabaseError ? cause.sqlState : undefined;
  }
}

/** Wrap anything a driver threw into a DatabaseError (idempotent for store errors). */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  if (typeof error === 'object' && error !== null) {
    const fields = error as PostgresErrorFields;
    const message = asText(fields.message) ?? 'database error';
    return new DatabaseError(message, fields, error);
  }
  return new DatabaseError(String(error), {}, error);
}

function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
