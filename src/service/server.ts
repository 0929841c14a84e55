/**
 * The scoring service process: configuration, store, seed data, models, background jobs and the
 * HTTP app, started in that order and stopped in reverse on SIGINT/SIGTERM (in-flight requests
 * finish, the job runner stops after its page, the audit trail flushes, then the store closes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../api/app.ts';
import { AuditTrail } from '../api/audit.ts';
import { apiKeyRecords, authConfigFromEnv, demoKeys, type DemoKey } from '../api/auth.ts';
import { Metrics } from '../api/metrics.ts';
import { scoringRoutes } from '../api/routes/scoring.ts';
import { performanceRoutes } from '../api/routes/performance.ts';
import { settlementRoutes, type ClassScorer } from '../api/routes/settlement.ts';
import { loadEnv, type Env } from '../config/env.ts';
import { parsePolicy, type Policy } from '../config/policy.ts';
import { loadPopulation } from '../ingest/loader.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { createJob, JobRunner } from '../scoring/jobs.ts';
import { ModelSet } from '../scoring/model-set.ts';
import { ScoringThreads } from '../scoring/scoring-threads.ts';
import { eventLoopScorer, scoreMemberIds, type RecordScorer } from '../scoring/service.ts';
import { databaseOptionsFromEnv, openDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_POPULATION = { members: 50_000, seed: 42, defectRate: 0.002 } as const;

export interface StartOptions {
  port?: number;
  /** Generate and load the default population when the store has none (default true). */
  seed?: boolean;
  members?: number;
  modelsDir?: string;
  env?: Env;
  logger?: Logger;
  /** Today's date for default as-of (tests pin it). */
  today?: () => string;
}

export interface RunningService {
  server: Server;
  url: string;
  db: Database;
  /** The models served now (replaced when the registry's champions change). */
  readonly models: ModelSet;
  /** Serve the registry's current champions if they changed; true when it swapped. */
  reloadModels(): Promise<boolean>;
  keys: DemoKey[] | null;
  /** Settles when the store is seeded (or seeding failed) and start-up jobs are queued. */
  seeded: Promise<void>;
  stop(): Promise<void>;
}

export async function loadPolicy(env: Env): Promise<Policy> {
  if (!env.STRATUM_POLICY_FILE) return parsePolicy({});
  return parsePolicy(JSON.parse(await readFile(env.STRATUM_POLICY_FILE, 'utf8')));
}

/** Generate the default population with the CLI (its own progress bar) and load it. */
async function seedIfEmpty(db: Database, env: Env, members: number, logger: Logger): Promise<void> {
  const published = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM loads WHERE status = 'published'`);
  const staging = await db.query<{ source_dir: string }>(`SELECT source_dir FROM loads WHERE status = 'staging' LIMIT 1`);
  if (Number(published.rows[0]!.n) > 0 && staging.rows.length === 0) return;
  const dir = staging.rows[0]?.source_dir ?? path.resolve(env.STRATUM_DATA_DIR, 'population');
  if (!existsSync(path.join(dir, 'member.csv'))) {
    logger.info({ members, dir }, 'generating the default synthetic population');
    execFileSync(
      process.execPath,
      [path.join(PROJECT_ROOT, 'src/cli/bin.mjs'), 'generate', '--members', String(members), '--seed', String(DEFAULT_POPULATION.seed), '--defect-rate', String(DEFAULT_POPULATION.defectRate), '--out', dir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  logger.info({ dir }, 'loading the population into the store');
  const started = Date.now();
  const summary = await loadPopulation(db, { from: dir, log: (m) => logger.info(m) });
  logger.info({ rows: summary.entities.reduce((s, e) => s + e.published, 0), rejected: summary.rejectsByRule, seconds: (Date.now() - started) / 1000 }, 'population loaded');
}

/**
 * Demo keys for a bare machine, kept under the data dir (0600) so the README's commands keep
 * working across restarts: one per bureau role, and one per clinic once institutions are loaded
 * (a first start creates the clinic keys after seeding).
 */
async function demoKeysFor(db: Database, env: Env): Promise<DemoKey[]> {
  const file = path.resolve(env.STRATUM_DATA_DIR, 'demo-keys.json');
  const existing = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as DemoKey[]) : [];
  const institutions = await db.query<{ institution_id: string }>(`SELECT institution_id FROM institution ORDER BY institution_id`);
  const have = new Set(existing.map((k) => k.id));
  const fresh = demoKeys(institutions.rows.map((r) => r.institution_id)).filter((k) => !have.has(k.id));
  if (fresh.length === 0) return existing;
  const keys = [...existing, ...fresh];
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  await chmod(file, 0o600);
  return keys;
}

const keyRecords = (keys: DemoKey[]) => apiKeyRecords(keys.map((k) => ({ id: k.id, role: k.role, key: k.key, ...(k.institutionId ? { institutionId: k.institutionId } : {}) })));

/** Risk adjustments score the 1 January classes they find missing with the served models, stored like any score. */
function classScorer(db: Database, servedModels: () => ModelSet, scorer: RecordScorer): ClassScorer {
  return async (memberIds, asOf) => {
    const models = servedModels();
    if (models.unavailable.size > 0) {
      const why = `models unavailable (${[...models.unavailable.keys()].join(', ')})`;
      return new Map(memberIds.map((id) => [id, why]));
    }
    const batch = await scoreMemberIds(db, scorer, memberIds, asOf, models);
    return new Map(batch.problems.map((p) => [p.memberId, p.message]));
  };
}

/** Open the store the environment names and serve from it. */
export async function startService(options: StartOptions = {}): Promise<RunningService> {
  const env = options.env ?? loadEnv();
  return serve(await openDatabase(databaseOptionsFromEnv(env)), { ...options, env });
}

/** Serve from an open store (tests hand in theirs); the store is closed by `stop()`. */
export async function serve(db: Database, options: StartOptions & { closeDb?: boolean } = {}): Promise<RunningService> {
  const env = options.env ?? loadEnv();
  const logger = options.logger ?? createLogger(env.LOG_LEVEL);
  const policy = await loadPolicy(env);
  const migration = await migrate(db);
  logger.info({ engine: db.engine, applied: migration }, 'store ready');
  const modelsDir = options.modelsDir ?? path.join(PROJECT_ROOT, 'models');
  const metrics = new Metrics();
  const announce = (set: ModelSet, what: string) => {
    for (const [task, reason] of set.unavailable) logger.warn({ task, reason }, 'model unavailable: scoring answers 503 until one is registered');
    logger.info({ models: set.versions() }, what);
    for (const [task, version] of Object.entries(set.versions())) metrics.setModelVersion(task, String(version));
  };
  let models = await ModelSet.load(db, modelsDir);
  announce(models, 'models loaded');
  // A promote or rollback is served without a restart. Requests and job pages already under way
  // finish on the set they started with; every score stores the versions it used.
  let reloading: Promise<boolean> | null = null;
  const reloadModels = () =>
    (reloading ??= (async () => {
      try {
        if (await models.isCurrent(db)) return false;
        models = await ModelSet.load(db, modelsDir);
        announce(models, 'champions changed in the registry: now serving these models');
        return true;
      } finally {
        reloading = null;
      }
    })());
  const refreshTimer =
    env.STRATUM_MODEL_REFRESH_SECONDS > 0
      ? setInterval(() => {
          reloadModels().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not check the model registry; serving the models already loaded'));
        }, env.STRATUM_MODEL_REFRESH_SECONDS * 1000).unref()
      : undefined;

  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  const seeding: { done: boolean; failed?: string } = { done: false };
  // Batches, jobs and risk adjustments parse and score records on worker threads; a single
  // score stays on the event loop, where it is cheaper (docs/decisions/0004-scoring-threads.md).
  const scorer = env.STRATUM_SCORING_THREADS > 0 ? new ScoringThreads(policy, env.STRATUM_SCORING_THREADS) : eventLoopScorer(policy);
  const jobs = new JobRunner(db, () => models, scorer, logger);
  const auth = authConfigFromEnv(env);
  let keys: DemoKey[] | null = null;
  if (auth.apiKeys.length === 0 && !auth.jwt) {
    keys = await demoKeysFor(db, env);
    auth.apiKeys = keyRecords(keys);
  }
  const auditTrail = new AuditTrail(db);
  const app = createApp({
    db,
    logger,
    metrics,
    auth,
    auditTrail,
    routes: [
      scoringRoutes({ models: () => models, policy, scorer, jobs, today, dataReady: () => seeding.done }),
      settlementRoutes({ policy, riskModelsDir: path.join(modelsDir, 'risk-adjustment'), scoreClasses: classScorer(db, () => models, scorer) }),
      performanceRoutes({ policy, today }),
    ],
    readiness: async () => {
      const checks: Record<string, { ok: boolean; detail?: string }> = {};
      try {
        await db.query('SELECT 1');
        checks.store = { ok: true };
      } catch (err) {
        checks.store = { ok: false, detail: err instanceof Error ? err.message : 'unreachable' };
      }
      checks.data = seeding.done ? { ok: true } : { ok: false, detail: seeding.failed ?? 'loading the default population' };
      checks.models = models.unavailable.size ? { ok: false, detail: `unavailable: ${[...models.unavailable.keys()].join(', ')}` } : { ok: true, detail: JSON.stringify(models.versions()) };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
    rateLimit: { ratePerSecond: env.STRATUM_RATE_LIMIT_PER_SECOND, burst: env.STRATUM_RATE_LIMIT_BURST },
    bodyLimit: env.STRATUM_BODY_LIMIT,
    info: { title: 'Stratum scoring service', version: '1.0.0' },
  });

  const port = options.port ?? env.PORT;
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(refreshTimer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs.stop();
      if (scorer instanceof ScoringThreads) await scorer.close();
      await auditTrail.close();
      if (options.closeDb !== false) await db.close();
    })());
  // Serve at once; seed (on an empty store) and resume jobs behind it. Until the data is in,
  // /ready says so and scoring answers 503 rather than "not found".
  const seeded = (async () => {
    if (options.seed !== false) await seedIfEmpty(db, env, options.members ?? DEFAULT_POPULATION.members, logger);
    if (keys) {
      // Clinic keys for the institutions the seed brought in (the array is shared with the running app).
      const all = await demoKeysFor(db, env);
      keys.push(...all.slice(keys.length));
      auth.apiKeys.splice(0, auth.apiKeys.length, ...keyRecords(all));
    }
    await jobs.resume();
    // A fresh store has no scores yet: score everyone once so the clinics' lists are filled.
    const anyScore = await db.query(`SELECT 1 FROM member_latest_score LIMIT 1`);
    const anyJob = await db.query(`SELECT 1 FROM score_job LIMIT 1`);
    if (anyScore.rows.length === 0 && anyJob.rows.length === 0 && models.unavailable.size === 0) {
      const job = await createJob(db, { asOf: today(), createdBy: 'system:start' });
      logger.info({ jobId: job.job_id, members: job.total }, 'scoring the population in the background');
      jobs.kick();
    }
    seeding.done = true;
  })().catch((err: unknown) => {
    seeding.failed = err instanceof Error ? err.message : String(err);
    if (stopping) logger.warn('stopped while seeding: the load resumes from its last committed chunk on the next start');
    else logger.error({ err: seeding.failed }, 'seeding failed; the service stays up and /ready says why');
  });
  // Stopping does not wait for a seed in progress: the load is resumable, so the next start
  // carries on from it.
  return {
    server,
    url,
    db,
    get models() {
      return models;
    },
    reloadModels,
    keys,
    seeded,
    stop,
  };
}
