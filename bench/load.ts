/**
 * `stratum load` throughput into PostgreSQL: 1,000,000 members (~54M rows) must load in < 120 s
 * (Stratum issue 2), i.e. ~450,000 rows/s; 50,000 members when quick, reported against that rate.
 *
 * The population is generated into a temp folder, or reused from /tmp/loadperf-pop-<N> when that
 * folder exists (generating 1M members takes ~90 s and 4 GB). The load goes into a throw-away
 * schema of the PostgreSQL at STRATUM_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test),
 * dropped afterwards. The machine's load average is noted: the figure is only as good as the
 * quiet of the 2 cores it ran on.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { writePopulation } from '../src/generator/population-files.ts';
import { loadPopulation } from '../src/ingest/loader.ts';
import { openDatabase } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import type { BenchRun } from './types.ts';

const FULL_MEMBERS = 1_000_000;
const TARGET_SECONDS = 120;
/** Rows per member the generator writes at seed 42 (measured: 54.3M rows for 1M members). */
const ROWS_PER_MEMBER = 54;
const TARGET_ROWS_PER_SECOND = (FULL_MEMBERS * ROWS_PER_MEMBER) / TARGET_SECONDS;

export const run: BenchRun = async ({ quick }) => {
  const members = quick ? 50_000 : FULL_MEMBERS;
  const url = process.env.STRATUM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const reusable = path.join(tmpdir(), `loadperf-pop-${members}`);
  const reuse = existsSync(path.join(reusable, 'observation.csv'));
  const dir = reuse ? reusable : await mkdtemp(path.join(tmpdir(), 'stratum-bench-load-'));
  const schema = `stratum_bench_load_${randomUUID().replace(/-/g, '')}`;
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    if (!reuse) await writePopulation({ members, seed: 42, defectRate: 0.002, startYear: 2022, endYear: 2026 }, dir, () => {});
    await admin.exec(`CREATE SCHEMA ${schema}`);
    db = await openDatabase({ databaseUrl: url, searchPath: schema, poolSize: 4 });
    await migrate(db);
    const loadBefore = loadavg()[0]!;
    const started = performance.now();
    const summary = await loadPopulation(db, { from: dir, rejectsFile: path.join(tmpdir(), `${schema}-rejects.csv`) });
    const seconds = (performance.now() - started) / 1000;
    const rows = summary.entities.reduce((sum, e) => sum + e.read, 0);
    const published = summary.entities.reduce((sum, e) => sum + e.published, 0);
    const note = `${rows.toLocaleString('en')} rows read, ${published.toLocaleString('en')} published; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
    const label = `load ${members.toLocaleString('en')} members into PostgreSQL`;
    const results = [{ name: `${label}: rows/s`, value: rows / seconds, unit: 'rows/s', target: TARGET_ROWS_PER_SECOND, higherIsBetter: true, note }];
    return quick
      ? [...results, { name: `${label}: elapsed`, value: seconds, unit: 's', higherIsBetter: false }]
      : [...results, { name: `${label}: elapsed`, value: seconds, unit: 's', target: TARGET_SECONDS, higherIsBetter: false }];
  } finally {
    await db?.close();
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.close();
    await rm(path.join(tmpdir(), `${schema}-rejects.csv`), { force: true });
    if (!reuse) await rm(dir, { recursive: true, force: true });
  }
};
