/**
 * Run one database test suite on both engines: `describeEachEngine('loader', (getDb) => { ... })`.
 *
 * - PGlite: one in-memory instance per suite (start-up costs ~1-2 s, so suites share it).
 * - PostgreSQL: `STRATUM_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test); each
 *   suite gets a fresh schema with a random name, set as search_path on every pooled connection,
 *   and dropped afterwards, so test files running in parallel never see each other's tables.
 *
 * PostgreSQL unreachable: under CI (`CI` set) importing this module throws, failing every file
 * that uses it, because CI must test both engines. Locally the PostgreSQL half is skipped and
 * the reason printed once.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { dumpFreshPGliteDataDir, openDatabase, postgresUnreachable, redactedUrl } from '../../src/store/database.ts';
import type { Database, Engine } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';

export const TEST_PG_URL = process.env.STRATUM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What a suite body gets besides the database. */
export interface EngineContext {
  engine: Engine;
  /** Drop every table, function and row of this suite's schema (the suite's db stays open). */
  reset(): Promise<void>;
  /**
   * PostgreSQL only: a second, independent pool on the same schema, standing in for another
   * process (closed by the helper after the suite). PGlite has one connection per instance.
   */
  openPeer?: () => Promise<Database>;
}

export interface EngineSuiteOptions {
  /** Apply Stratum's migrations before the suite (default true). */
  migrate?: boolean;
}

const unreachableReason = await postgresUnreachable(TEST_PG_URL);
if (unreachableReason !== undefined) {
  const message = `PostgreSQL at ${redactedUrl(TEST_PG_URL)} is unreachable (${unreachableReason})`;
  if (process.env.CI) {
    throw new Error(`${message}: CI must run the database suites on both engines; set STRATUM_TEST_PG_URL`);
  }
  console.warn(`${message}: skipping the PostgreSQL half of the database suites (set STRATUM_TEST_PG_URL to run them)`);
}

/**
 * An empty, initialised PGlite data directory shared by every test file through the OS temp
 * folder: loading it skips initdb, cutting each suite's PGlite start-up about fourfold. Keyed by
 * the PGlite version; written to a temporary name and renamed, so parallel files never read a
 * half-written template.
 */
async function pgliteTemplate(): Promise<Blob> {
  // The package does not export its package.json; read it beside the resolved entry point.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { version } = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  const path = join(tmpdir(), `stratum-pglite-template-${version}.tar`);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const dump = await dumpFreshPGliteDataDir();
    const partial = `${path}.${process.pid}.${randomUUID()}.partial`;
    await writeFile(partial, dump);
    await rename(partial, path);
    return new Blob([dump]);
  }
}

/** Whether the PostgreSQL half runs in this environment. */
export const postgresAvailable = unreachableReason === undefined;

/**
 * Declare `body` once per engine, as `describe('<name> [pglite]')` and `describe('<name> [postgres]')`.
 * `getDb()` returns the suite's open database (valid inside tests and hooks, not at collection time).
 */
export function describeEachEngine(
  name: string,
  body: (getDb: () => Database, context: EngineContext) => void,
  options: EngineSuiteOptions = {},
): void {
  describe(`${name} [pglite]`, () => {
    let db: Database | undefined;
    beforeAll(async () => {
      db = await openDatabase({ pgliteTemplate: await pgliteTemplate() });
      if (options.migrate !== false) await migrate(db);
    });
    afterAll(async () => {
      await db?.close();
    });
    body(() => required(db), {
      engine: 'pglite',
      reset: () => required(db).exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;'),
    });
  });

  describe.skipIf(!postgresAvailable)(`${name} [postgres]`, () => {
    const schema = `stratum_test_${randomUUID().replace(/-/g, '')}`;
    let db: Database | undefined;
    const peers: Database[] = [];
    beforeAll(async () => {
      db = await openDatabase({ databaseUrl: TEST_PG_URL, searchPath: schema, poolSize: 4 });
      await db.exec(`CREATE SCHEMA ${schema}`);
      if (options.migrate !== false) await migrate(db);
    });
    afterAll(async () => {
      await Promise.all(peers.map((p) => p.close()));
      if (db) {
        await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.close();
      }
    });
    body(() => required(db), {
      engine: 'postgres',
      reset: () => required(db).exec(`DROP SCHEMA ${schema} CASCADE; CREATE SCHEMA ${schema};`),
      openPeer: async () => {
        const peer = await openDatabase({ databaseUrl: TEST_PG_URL, searchPath: schema, poolSize: 2 });
        peers.push(peer);
        return peer;
      },
    });
  });
}

function required(db: Database | undefined): Database {
  if (!db) throw new Error('database not open yet: call getDb() inside a test or hook, not at collection time');
  return db;
}
