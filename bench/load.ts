/**
 * `stratum load` throughput into PostgreSQL: 1,000,000 members (~45M rows at seed 42) must load
 * in < 120 s (Stratum issue 2). The full run loads 1,000,000 members; the quick run loads 50,000,
 * and the 1,000,000-member time it prints is projected from that run's rows/s, and says so (a
 * rough figure: fixed start-up costs weigh more in a small run, index sorts less; measured on one
 * machine, the 50,000-member projection was ~20% slower than the full run).
 *
 * The population is generated into a temp folder, or reused from STRATUM_BENCH_LOAD_FROM or
 * /tmp/loadperf-pop-<N> when that folder exists (generating 1M members takes ~90 s and 4 GB). The
 * load goes into a throw-away schema of the PostgreSQL at STRATUM_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test), dropped afterwards. The quick run also loads the same
 * 50,000 members into PGlite on disk, as `npm start` does on a fresh machine. The machine's
 * load average is noted: the figure is only as good as the quiet of the 2 cores it ran on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { loadPopulation, type LoadSummary } from '../src/ingest/loader.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import { benchPopulation, benchPostgresUrl, withThrowawaySchema } from './postgres-fixture.ts';
import type { BenchResult, BenchRun } from './types.ts';

const FULL_MEMBERS = 1_000_000;
const QUICK_MEMBERS = 50_000;
const TARGET_SECONDS = 120;

const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** Load `dir` into `db` (migrated here); seconds, rows read and published, load average before and after. */
async function timeLoad(db: Database, dir: string, rejectsFile: string) {
  await migrate(db);
  const loadBefore = loadavg()[0]!;
  const started = performance.now();
  const summary: LoadSummary = await loadPopulation(db, { from: dir, rejectsFile });
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    rows: summary.entities.reduce((sum, e) => sum + e.read, 0),
    published: summary.entities.reduce((sum, e) => sum + e.published, 0),
    load: `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
  };
}

export const run: BenchRun = async ({ quick }) => {
  const members = quick ? QUICK_MEMBERS : FULL_MEMBERS;
  const population = await benchPopulation(members, 'load', process.env.STRATUM_BENCH_LOAD_FROM);
  const dir = population.dir;
  try {
    const pg = await withThrowawaySchema(benchPostgresUrl(), 'load', (db, rejectsFile) => timeLoad(db, dir, rejectsFile));

    const perSecond = pg.rows / pg.seconds;
    // The target rate: this population's rows, scaled to 1,000,000 members, in 120 s.
    const fullRows = (pg.rows * FULL_MEMBERS) / members;
    const label = `load ${fmt(members)} members into PostgreSQL`;
    const results: BenchResult[] = [
      {
        name: `${label}: rows/s`,
        value: perSecond,
        unit: 'rows/s',
        target: fullRows / TARGET_SECONDS,
        higherIsBetter: true,
        note: `${fmt(pg.rows)} rows read, ${fmt(pg.published)} published in ${pg.seconds.toFixed(1)} s; ${pg.load}`,
      },
    ];
    if (quick) {
      results.push({
        name: `load 1,000,000 members into PostgreSQL: PROJECTED from the ${fmt(members)}-member run, not measured`,
        value: fullRows / perSecond,
        unit: 's',
        target: TARGET_SECONDS,
        higherIsBetter: false,
        note: `~${fmt(fullRows)} rows at ${fmt(perSecond)} rows/s; rough (start-up costs weigh more at this size, sorts less); run without --quick to measure`,
      });
      // What `npm start` does on a fresh machine: the default population into the embedded store,
      // kept on disk (an in-memory PGlite measured several times slower at this size).
      const dataDir = await mkdtemp(path.join(tmpdir(), 'stratum-bench-pglite-'));
      const pglite = await openDatabase({ dataDir });
      try {
        const lite = await timeLoad(pglite, dir, path.join(dataDir, 'rejects.csv'));
        results.push({
          name: `load ${fmt(members)} members into PGlite (npm start's first load)`,
          value: lite.seconds,
          unit: 's',
          higherIsBetter: false,
          note: `${fmt(lite.rows / lite.seconds)} rows/s; ${lite.load}`,
        });
      } finally {
        await pglite.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    } else {
      results.push({ name: `${label}: elapsed (measured)`, value: pg.seconds, unit: 's', target: TARGET_SECONDS, higherIsBetter: false, note: pg.load });
    }
    return results;
  } finally {
    await population.dispose();
  }
};
