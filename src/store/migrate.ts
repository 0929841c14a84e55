/**
 * Schema migrations: numbered files `NNN_name.sql` applied in version order, each in its own
 * transaction, recorded in `schema_migrations`. Safe when several processes start at once: every
 * step takes a transaction-scoped advisory lock and re-reads what is applied before acting
 * (medplum's habit). An applied migration whose file changed is refused, never re-run.
 *
 * Migration files must not contain BEGIN/COMMIT: the runner owns the transaction.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './database.ts';
import { MigrationChecksumError, MigrationFailedError, MigrationFileError } from './errors.ts';

/** Where Stratum's own migrations live. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Advisory-lock key shared by every Stratum process migrating the same database
 * (an arbitrary constant: ASCII "STRATUM" folded into a signed 64-bit range).
 */
export const MIGRATION_LOCK_KEY = 0x5354524154554dn;

/** One migration file as read from disk. */
export interface MigrationFile {
  version: number;
  name: string;
  file: string;
  sql: string;
  /** sha256 (hex) of the file with line endings normalised to LF. */
  checksum: string;
}

/** What one `migrate` call did. */
export interface MigrationReport {
  /** File names applied by this call, in order. */
  applied: string[];
  /** File names that were already applied (by an earlier run or a concurrent process). */
  alreadyApplied: string[];
  /**
   * Versions recorded in the database with no file here: a newer release migrated this
   * database. Reported, not refused, so an older process can still start during a rollout.
   */
  unknownVersions: number[];
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** Read and order the migration files of `dir`; refuses malformed names and duplicate versions. */
export async function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const migrations: MigrationFile[] = [];
  const seen = new Map<number, string>();
  for (const file of names) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationFileError(file, `migration file ${file} must be named NNN_lower_snake_name.sql`);
    const version = Number(match[1]);
    const clash = seen.get(version);
    if (clash !== undefined) throw new MigrationFileError(file, `migrations ${clash} and ${file} share version ${version}`);
    seen.set(version, file);
    const sql = (await readFile(join(dir, file), 'utf8')).replace(/\r\n/g, '\n');
    migrations.push({ version, name: match[2] ?? '', file, sql, checksum: sha256(sql) });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Bring the database up to date with the migrations in `dir` (default: Stratum's own).
 * Running it again, or from two processes at once, applies each migration exactly once.
 * @throws MigrationChecksumError when an applied migration's file changed (nothing is applied).
 * @throws MigrationFailedError when a migration's SQL fails (that migration is rolled back).
 */
export async function migrate(db: Database, options: { dir?: string } = {}): Promise<MigrationReport> {
  const files = await readMigrations(options.dir);
  const report: MigrationReport = { applied: [], alreadyApplied: [], unknownVersions: [] };

  // Creating the bookkeeping table under the lock: two concurrent CREATE TABLE IF NOT EXISTS
  // can otherwise both pass the existence check and one fails on the catalog's unique index.
  const applied = await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    return readApplied(tx);
  });
  // Refuse before applying anything: a rewritten history means this code and this database disagree.
  verifyChecksums(files, applied);
  const known = new Set(files.map((f) => f.version));
  report.unknownVersions = [...applied.keys()].filter((v) => !known.has(v)).sort((a, b) => a - b);

  for (const migration of files) {
    if (applied.has(migration.version)) {
      report.alreadyApplied.push(migration.file);
      continue;
    }
    const outcome = await applyOne(db, migration);
    (outcome === 'applied' ? report.applied : report.alreadyApplied).push(migration.file);
  }
  return report;
}

async function applyOne(db: Database, migration: MigrationFile): Promise<'applied' | 'already'> {
  try {
    return await db.transaction(async (tx) => {
      await lock(tx);
      // Another process may have applied it while we waited for the lock.
      const current = await readApplied(tx);
      if (current.has(migration.version)) {
        verifyChecksums([migration], current);
        return 'already';
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return 'applied';
    });
  } catch (error) {
    if (error instanceof MigrationChecksumError) throw error;
    throw new MigrationFailedError(migration.file, error);
  }
}

/** Transaction-scoped, so COMMIT/ROLLBACK releases it and a crashed process never holds it. */
async function lock(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
}

async function readApplied(tx: Queryable): Promise<Map<number, AppliedRow>> {
  const { rows } = await tx.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations');
  return new Map(rows.map((r) => [r.version, r]));
}

function verifyChecksums(files: readonly MigrationFile[], applied: ReadonlyMap<number, AppliedRow>): void {
  for (const file of files) {
    const row = applied.get(file.version);
    if (row && row.checksum !== file.checksum) {
      throw new MigrationChecksumError(file.file, file.version, row.checksum, file.checksum);
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
