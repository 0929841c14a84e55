/**
 * The service benchmark's fixture: a store (in-memory PGlite, or a throw-away schema of the
 * PostgreSQL at STRATUM_BENCH_PG_URL) holding a generated population, logistic models trained for
 * every task, the real app served on 127.0.0.1, and one synthetic institution whose clinic list
 * has 5,000 scored members. Runs in the server child process (see server-child.ts) so the load
 * generator never shares the server's event loop.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadEnv } from '../../src/config/env.ts';
import { defaultPolicy } from '../../src/config/policy.ts';
import { TASKS } from '../../src/features/tasks.ts';
import { DEFAULT_POPULATION_OPTIONS } from '../../src/generator/population.ts';
import { writePopulation } from '../../src/generator/population-files.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { eventLoopScorer, scoreMemberIds } from '../../src/scoring/service.ts';
import { ModelSet } from '../../src/scoring/model-set.ts';
import { serve } from '../../src/service/server.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { trainTask } from '../../training/train-task.ts';

export interface FixtureOptions {
  /** Members generated and loaded (scoring requests draw from them). */
  members: number;
  /** Members on the synthetic clinic list. */
  listMembers: number;
  /** PostgreSQL URL; absent = in-memory PGlite. */
  pgUrl?: string;
}

/** What the load generator needs to know about the served fixture. */
export interface FixtureInfo {
  url: string;
  engine: 'pglite' | 'postgres';
  /** An analyst's bearer key (sees every institution). */
  analystKey: string;
  memberIds: string[];
  /** The institution whose list has `listMembers` rows. */
  listInstitution: string;
  /** Seconds spent generating, loading and training before serving. */
  setupSeconds: number;
}

export interface RunningFixture {
  info: FixtureInfo;
  stop(): Promise<void>;
}

/** As-of date of every benchmark score: inside the generated years (2022-2026). */
export const BENCH_AS_OF = '2026-06-30';
export const LIST_INSTITUTION = 'I-BENCH-LIST';

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

async function openStore(pgUrl: string | undefined): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (!pgUrl) {
    const db = await openDatabase({});
    return { db, drop: async () => undefined };
  }
  const schema = `stratum_bench_service_${randomUUID().replace(/-/g, '')}`;
  const admin = await openDatabase({ databaseUrl: pgUrl, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = await openDatabase({ databaseUrl: pgUrl, searchPath: schema, poolSize: 8 });
  return {
    db,
    drop: async () => {
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    },
  };
}

/**
 * Give `institutionId` a clinic list of `count` members by inserting synthetic
 * member_latest_score rows whose list items are copied from real scores (so each list item
 * carries realistic reasons, care gaps and factors) under their own member ids `BENCH-L000001`...
 */
async function fillClinicList(db: Database, institutionId: string, count: number): Promise<void> {
  const sample = await db.query<{ score_id: number; risk_class: string; class_rank: number; max_risk: number; list_item: string }>(
    `SELECT score_id, risk_class, class_rank, max_risk, list_item FROM member_latest_score ORDER BY member_id LIMIT 200`,
  );
  if (sample.rows.length === 0) throw new Error('no scored members to copy clinic-list summaries from');
  const pick = (i: number) => sample.rows[i % sample.rows.length]!;
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start);
    const rows = Array.from({ length: n }, (_, k) => ({ id: `BENCH-L${String(start + k + 1).padStart(6, '0')}`, src: pick(start + k) }));
    await db.query(
      `INSERT INTO member_latest_score (member_id, score_id, institution_id, risk_class, class_rank, max_risk, as_of, list_item)
       SELECT m, s, $1, c, r, x, $2::date, j FROM unnest($3::text[], $4::bigint[], $5::text[], $6::smallint[], $7::float8[], $8::text[]) AS t(m, s, c, r, x, j)`,
      [
        institutionId,
        BENCH_AS_OF,
        rows.map((r) => r.id),
        rows.map((r) => r.src.score_id),
        rows.map((r) => r.src.risk_class),
        rows.map((r) => r.src.class_rank),
        // Spread the risks so the ORDER BY has real work to do.
        rows.map((r, k) => Math.min(1, Number(r.src.max_risk) * (0.5 + ((k * 7919) % 1000) / 1000))),
        // The copied item names its own member (list_item opens with the member id).
        rows.map((r) => `"memberId":${JSON.stringify(r.id)}${r.src.list_item.slice(r.src.list_item.indexOf(',"riskClass":'))}`),
      ],
    );
  }
}

/**
 * Leave the store as a running system's would be between bursts of work: statistics on the tables
 * the set-up just filled (the local test server runs without autovacuum, so the list query was
 * planned for 80 rows instead of 5,000) and, on PostgreSQL, the set-up's write-ahead log
 * checkpointed, so a checkpoint it would trigger does not land inside a latency measurement.
 */
async function settle(db: Database): Promise<void> {
  await db.exec('VACUUM ANALYZE member_latest_score, score_result, audit_log');
  // CHECKPOINT needs a superuser or pg_checkpoint; without either the figures carry that risk.
  if (db.engine === 'postgres') await db.exec('CHECKPOINT').catch(() => undefined);
}

/** Build the store, train, serve; `stop()` closes everything and removes temp folders and schema. */
export async function startFixture(options: FixtureOptions): Promise<RunningFixture> {
  const started = performance.now();
  const work = await mkdtemp(path.join(tmpdir(), 'svcbench-service-'));
  const { db, drop } = await openStore(options.pgUrl);
  try {
    await migrate(db);
    const populationDir = path.join(work, 'population');
    await writePopulation({ ...DEFAULT_POPULATION_OPTIONS, members: options.members, seed: 7 }, populationDir);
    await loadPopulation(db, { from: populationDir });
    const modelsDir = path.join(work, 'models');
    for (const task of TASKS) await trainTask({ db, task, learners: ['logreg'], seed: 1, modelsDir, folds: 3 });

    const ids = await db.query<{ member_id: string }>(`SELECT member_id FROM member ORDER BY member_id`);
    const memberIds = ids.rows.map((r) => r.member_id);
    // Real summaries to copy onto the synthetic list: score the first 200 members. Scoring before
    // serve() also keeps it from queueing its start-up whole-population job behind the benchmark.
    await scoreMemberIds(db, eventLoopScorer(defaultPolicy()), memberIds.slice(0, 200), BENCH_AS_OF, await ModelSet.load(db, modelsDir));
    await fillClinicList(db, LIST_INSTITUTION, options.listMembers);
    await settle(db);
    const env = { ...loadEnv(), STRATUM_DATA_DIR: path.join(work, 'var'), STRATUM_API_KEYS: undefined, STRATUM_JWT_SECRET: undefined, STRATUM_RATE_LIMIT_PER_SECOND: 0 };
    // Access logs are still formatted and written (to nowhere), as a served request's cost includes them.
    const service = await serve(db, { port: 0, seed: false, modelsDir, env, logger: createLogger('info', discard()), today: () => BENCH_AS_OF, closeDb: false });
    await service.seeded;
    const analyst = service.keys?.find((k) => k.role === 'analyst');
    if (!analyst) throw new Error('the served app issued no analyst demo key');
    return {
      info: { url: service.url, engine: db.engine, analystKey: analyst.key, memberIds, listInstitution: LIST_INSTITUTION, setupSeconds: (performance.now() - started) / 1000 },
      stop: async () => {
        await service.stop();
        await db.close();
        await drop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    await drop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
