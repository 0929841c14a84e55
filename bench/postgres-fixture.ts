/**
 * What the PostgreSQL benchmarks share: a generated population reused across runs, and a
 * throw-away schema on the server that is dropped afterwards, whatever happens.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePopulation } from '../src/generator/population-files.ts';
import { openDatabase, type Database } from '../src/store/database.ts';

/** The server the benchmarks use (the tests' one by default). */
export const benchPostgresUrl = () => process.env.STRATUM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A default-shaped population of `members` (seed 42, defects 0.002): `given` when set, else
 * /tmp/loadperf-pop-<members> when an earlier run left one (1M members take ~90 s and 4 GB to
 * generate), else generated into a temp folder that `dispose` removes.
 */
export async function benchPopulation(members: number, label: string, given?: string): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const reusable = given ?? path.join(tmpdir(), `loadperf-pop-${members}`);
  if (existsSync(path.join(reusable, 'observation.csv'))) return { dir: reusable, dispose: async () => {} };
  if (given) throw new Error(`no generated population in ${given} (STRATUM_BENCH_LOAD_FROM)`);
  const dir = await mkdtemp(path.join(tmpdir(), `stratum-bench-${label}-`));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await writePopulation({ members, seed: 42, defectRate: 0.002, startYear: 2022, endYear: 2026 }, dir, () => {});
  } catch (error) {
    await dispose();
    throw error;
  }
  return { dir, dispose };
}

/** Runs `fn` on a new schema of the PostgreSQL at `url` (with a reject-file path beside it), then drops both. */
export async function withThrowawaySchema<T>(url: string, label: string, fn: (db: Database, rejectsFile: string) => Promise<T>): Promise<T> {
  const schema = `stratum_bench_${label}_${randomUUID().replace(/-/g, '')}`;
  const rejectsFile = path.join(tmpdir(), `${schema}-rejects.csv`);
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let db: Database | undefined;
  try {
    await admin.exec(`CREATE SCHEMA ${schema}`);
    db = await openDatabase({ databaseUrl: url, searchPath: schema, poolSize: 4 });
    return await fn(db, rejectsFile);
  } finally {
    await db?.close();
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.close();
    await rm(rejectsFile, { force: true });
  }
}
