/**
 * `stratum load`: validate every row of a population folder against the contracts, stage it in
 * chunks, and publish the whole load in one transaction.
 *
 * - Nothing is silently dropped: a rejected row is stored in `load_reject` with the field and
 *   the rule, and the reject file is written from there.
 * - Resumable: each chunk is staged in the same transaction that advances its file's
 *   `rows_done`, so a load killed midway continues after its last committed chunk; each file's
 *   checks commit with its `prepared` flag, so they are neither repeated nor lost.
 * - Atomic: duplicates, swapped blood-pressure halves and rows naming unknown members are found
 *   by SQL over the whole staged file (looking only among the keys, panels and members that
 *   reading the file flagged, when it was read whole in this run), then every entity is
 *   published in a single transaction, so readers see all of a load or none of it.
 *
 * Where the time goes (measured on 4.5 million rows, 2 cores): reading and validating rows,
 * ~3 µs of JavaScript per row, runs in a worker thread per staging lane; PostgreSQL's COPY of the
 * staged rows, ~2 µs per row; building each table's indexes, ~1-1.5 µs per row and index. A
 * file's checks and index builds run as soon as it is staged, while the other lane still stages,
 * and a first load into an empty table is published by swapping the staged table in, so its rows
 * are written once.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { contractColumns, ENTITY_NAMES, LOINC, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import { quoteIdentifier, type Database, type Queryable } from '../store/database.ts';
import { csvField } from './csv.ts';
import { stagingChunks, type FileScreens, type StagingChunk, type StagingJob } from './staging-chunks.ts';
import { StagingThread } from './staging-threads.ts';

const LINEAGE_COLUMNS = ['load_id', 'source_file', 'source_line'] as const;
const REJECT_COLUMNS = ['load_id', 'entity', 'source_line', 'record_id', 'field', 'rule', 'message', 'raw'] as const;
/** Files from this size up are read in a staging thread by default (see LoadOptions.threadMinBytes). */
const THREAD_MIN_BYTES = 8 << 20;
/** Files staged at once on PostgreSQL: one per core of the 2-core target machine. */
const STAGING_LANES = 2;

/** Seconds since `started` (a Date.now()), as the load's log lines give them. */
const secondsSince = (started: number) => ((Date.now() - started) / 1000).toFixed(1);

function fileSize(dir: string, entity: EntityName): number {
  return statSync(path.join(dir, `${entity}.csv`)).size;
}

export interface LoadProgress {
  entity: EntityName;
  rowsDone: number;
  accepted: number;
  rejected: number;
}

export interface LoadOptions {
  /** Folder holding `<entity>.csv` files (the generator's output). */
  from: string;
  /** Where to write the reject file; default `<from>/rejects.csv`. */
  rejectsFile?: string;
  /** Rows per staged chunk (one transaction each). */
  chunkRows?: number;
  /** Called after every committed chunk; throwing from it stops the load (resumable). */
  onChunk?: (progress: LoadProgress) => void;
  /** Human-readable log lines (no member identifiers). */
  log?: (message: string) => void;
  /**
   * Files at least this large (bytes) are read and validated in a worker thread, one per staging
   * lane; smaller ones in this thread, where starting a thread (~0.5 s) would cost more than it
   * saves. Default 8 MiB; 0 sends every file to a thread, Infinity none.
   */
  threadMinBytes?: number;
}

export interface EntityLoadSummary {
  entity: EntityName;
  read: number;
  accepted: number;
  rejected: number;
  converted: number;
  /** Rows removed at publish: duplicates, swapped BP halves, unknown members. */
  rejectedAtPublish: number;
  published: number;
}

export interface LoadSummary {
  loadId: string;
  resumed: boolean;
  entities: EntityLoadSummary[];
  rejectsFile: string;
  rejectsByRule: Record<string, number>;
}

/** A load is already published, or the folder holds no entity files: nothing to do. */
export class LoadSourceError extends Error {
  readonly code = 'LOAD_SOURCE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'LoadSourceError';
  }
}

interface LoadFileRow {
  entity: EntityName;
  rows_done: string | number;
  rows_accepted: string | number;
  rows_rejected: string | number;
  rows_converted: string | number;
  rows_dropped: string | number;
  finished: boolean;
  prepared: boolean;
  /** Set in memory when this run staged the file: what reading it learnt for its checks. */
  screens?: FileScreens;
}

/** Load a population folder into the store (migrations must have run). */
export async function loadPopulation(db: Database, options: LoadOptions): Promise<LoadSummary> {
  const from = path.resolve(options.from);
  const log = options.log ?? (() => {});
  const chunkRows = options.chunkRows ?? 20_000;
  const files = ENTITY_NAMES.filter((e) => existsSync(path.join(from, `${e}.csv`)));
  if (files.length === 0) throw new LoadSourceError(`${from} holds none of the entity files (${ENTITY_NAMES.map((e) => e + '.csv').join(', ')})`);

  const { loadId, resumed } = await startOrResume(db, from);
  log(resumed ? `resuming load ${loadId} from ${from}` : `started load ${loadId} from ${from}`);

  // On PostgreSQL two files stage at once, each on its own pooled connection. Each file keeps its
  // own load_file progress row, so a resumed load still skips exactly what each file committed.
  // PGlite has one connection: its files go one after another. A lane reads its large files in a
  // staging thread, so this thread only moves chunks into the database (and, on PGlite, runs it).
  const lanes = db.engine === 'postgres' ? Math.min(STAGING_LANES, files.length) : 1;
  // Members first: every other file's check for unknown members waits for them. Then the largest
  // files, so the lanes finish close together.
  const queue = [...files].sort((a, b) => Number(b === 'member') - Number(a === 'member') || fileSize(from, b) - fileSize(from, a));
  const threadMinBytes = options.threadMinBytes ?? THREAD_MIN_BYTES;
  const threads: StagingThread[] = [];
  const stop = new AbortController();
  const membersStaged = signal<void>(stop.signal);
  // The members this run staged, when it read the whole member file: a row naming one of them
  // names a known member, with no need to ask the database.
  let loadMembers: Set<string> | null = null;
  if (!files.includes('member')) membersStaged.resolve();
  // Files being staged or checked right now. An index build beside other work runs on one core:
  // PostgreSQL's parallel build spent ~15% more CPU for a ~15% shorter build, and the other work
  // has the second core. With nothing else left (the load's last builds) it may use parallel workers.
  let working = 0;
  const busy = async <T>(work: () => Promise<T>): Promise<T> => {
    working++;
    try {
      return await work();
    } finally {
      working--;
    }
  };
  const parallelBuilds = db.engine === 'postgres' ? () => working <= 1 : null;
  const lane = async () => {
    let thread: StagingThread | null = null;
    for (let entity = queue.shift(); entity !== undefined && !stop.signal.aborted; entity = queue.shift()) {
      const file = path.join(from, `${entity}.csv`);
      const state = await fileState(db, loadId, entity, file);
      if (!state.finished) {
        const started = Date.now();
        const job: StagingJob = { entity, file, loadId, skipRecords: Number(state.rows_done), chunkRows };
        const threaded = fileSize(from, entity) >= threadMinBytes;
        if (threaded && thread === null) threads.push((thread = new StagingThread()));
        const chunks = threaded && thread ? thread.chunks(job) : stagingChunks(job);
        const screens = await busy(() => stageFile(db, loadId, entity, job.skipRecords, chunks, options.onChunk, stop.signal));
        log(`staged ${entity} in ${secondsSince(started)} s`);
        state.screens = screens;
      }
      if (entity === 'member') {
        if (state.screens?.members) loadMembers = new Set(state.screens.members);
        membersStaged.resolve();
      }
      if (!state.prepared) {
        if (entity !== 'member' && hasMemberId(entity)) await membersStaged.promise;
        stop.signal.throwIfAborted();
        const started = Date.now();
        await busy(() => prepareFile(db, loadId, entity, state.screens ?? null, loadMembers, parallelBuilds, log));
        log(`checked and indexed ${entity} in ${secondsSince(started)} s`);
      }
    }
  };
  try {
    // A failure stops the other lane at its next chunk; the load is left resumable either way.
    const outcomes = await Promise.allSettled(
      Array.from({ length: lanes }, () =>
        lane().catch((error: unknown) => {
          stop.abort(error);
          throw error;
        }),
      ),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw stop.signal.reason ?? failed.reason;
  } finally {
    await Promise.all(threads.map((t) => t.close()));
  }

  const swapped = await publish(db, loadId, files, log);
  // Fresh statistics for the planner: PGlite has no autovacuum, and without them reads of a few
  // members' records fall back to plans several times slower. A swapped-in table kept those its
  // staged rows were given when they were checked.
  for (const entity of files) if (!swapped.has(entity)) await db.exec(`ANALYZE ${entity}`);
  const rejectsFile = path.resolve(options.rejectsFile ?? path.join(from, 'rejects.csv'));
  const rejectsByRule = await writeRejectFile(db, loadId, rejectsFile, from);
  const entities = await summarise(db, loadId);
  log(`published load ${loadId}: ${entities.reduce((s, e) => s + e.published, 0)} rows; ${Object.values(rejectsByRule).reduce((s, n) => s + n, 0)} rejected (see ${rejectsFile})`);
  return { loadId, resumed, entities, rejectsFile, rejectsByRule };
}

/** A promise settled from outside, rejected when `abort` fires first. */
function signal<T>(abort: AbortSignal): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    abort.addEventListener('abort', () => rej(abort.reason), { once: true });
  });
  // Nobody may be waiting when it is rejected.
  promise.catch(() => {});
  return { promise, resolve };
}

const hasMemberId = (entity: EntityName) => contractColumns(entity).some((c) => c.name === 'member_id');

async function startOrResume(db: Database, from: string): Promise<{ loadId: string; resumed: boolean }> {
  return db.transaction(async (tx) => {
    // One loader per source folder at a time; the lock ends with this transaction.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`stratum-load:${from}`]);
    const open = await tx.query<{ load_id: string }>(
      `SELECT load_id FROM loads WHERE source_dir = $1 AND status = 'staging' ORDER BY started_at DESC LIMIT 1`,
      [from],
    );
    if (open.rows[0]) return { loadId: open.rows[0].load_id, resumed: true };
    const loadId = `load-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}Z-${randomBytes(3).toString('hex')}`;
    await tx.query(`INSERT INTO loads (load_id, source_dir, started_at, status, counts) VALUES ($1, $2, now(), 'staging', '{}'::jsonb)`, [loadId, from]);
    return { loadId, resumed: false };
  });
}

async function fileState(db: Database, loadId: string, entity: EntityName, file: string): Promise<LoadFileRow> {
  await db.query(`INSERT INTO load_file (load_id, entity, source_file) VALUES ($1, $2, $3) ON CONFLICT (load_id, entity) DO NOTHING`, [loadId, entity, file]);
  const r = await db.query<LoadFileRow>(`SELECT * FROM load_file WHERE load_id = $1 AND entity = $2`, [loadId, entity]);
  return r.rows[0]!;
}

/**
 * Stage one file's chunks, each in its own transaction with the file's progress. One chunk is
 * written while the next is prepared (in this thread or a staging thread), so the database and
 * the row work proceed together; chunks still commit one after another, in file order, which
 * keeps rows_done exact. Returns what the chunk source returns (its screens for the checks).
 */
async function stageFile(
  db: Database,
  loadId: string,
  entity: EntityName,
  alreadyDone: number,
  chunks: AsyncGenerator<StagingChunk, FileScreens>,
  onChunk: LoadOptions['onChunk'],
  stop: AbortSignal,
): Promise<FileScreens> {
  const columns = [...contractColumns(entity).map((c) => c.name), ...LINEAGE_COLUMNS];
  let done = alreadyDone;
  let totals = { accepted: 0, rejected: 0 };

  const write = async (chunk: StagingChunk) => {
    await db.transaction(async (tx) => {
      // A chunk need not wait for its WAL flush: a crash can lose only whole recent chunks
      // together with their rows_done, and the resumed load stages them again. Publish stays durable.
      if (db.engine === 'postgres') await tx.exec('SET LOCAL synchronous_commit = off');
      if (chunk.accepted) await tx.copyText(`staging_${entity}`, columns, chunk.text, { format: 'csv' });
      if (chunk.rejects.length) await tx.copyFrom('load_reject', REJECT_COLUMNS, chunk.rejects);
      await tx.query(
        `UPDATE load_file SET rows_done = rows_done + $3, rows_accepted = rows_accepted + $4, rows_rejected = rows_rejected + $5,
                rows_converted = rows_converted + $6, finished = $7 WHERE load_id = $1 AND entity = $2`,
        [loadId, entity, chunk.rows, chunk.accepted, chunk.rejectedRows, chunk.converted, chunk.last],
      );
    });
    done += chunk.rows;
    totals = { accepted: totals.accepted + chunk.accepted, rejected: totals.rejected + chunk.rejectedRows };
    onChunk?.({ entity, rowsDone: done, ...totals });
  };

  let writing: Promise<void> = Promise.resolve();
  try {
    for (;;) {
      const next = await chunks.next();
      await writing;
      if (next.done) return next.value;
      stop.throwIfAborted();
      writing = write(next.value);
      // Surface a failed write (or an onChunk that stops the load) at the next chunk.
      writing.catch(() => {});
    }
  } finally {
    // A failure leaves the chunk source unfinished; a write still running must end before the
    // caller reports the load stopped (it may be committing its chunk).
    await writing.catch(() => {});
  }
}

/**
 * Sorts over a whole file (duplicates, index builds) spill to disk at PostgreSQL's default 4 MB.
 * An index build sorts in memory up to maintenance_work_mem, taking only what it needs: the
 * largest of a 1,000,000-member load (observation by member, 17.7M rows) needs ~1.7 GB, and with
 * 512 MB its external merge took 11-21% longer on one core (22.9 s against 18.9 s; the primary
 * key 14.5 s against 13.1 s). Two lanes may build at once: up to twice this.
 */
const BULK_SORT_MEMORY = `SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '2GB'`;

/**
 * A staged file's checks, in one transaction committed with its `prepared` flag: duplicates,
 * swapped blood-pressure halves, rows naming members neither in the store nor in this load (each
 * looked for only among what the file's screens name, when known); then, when the file is to be
 * swapped in at publish (its table is empty), the table's indexes built on the staged rows. Runs
 * while other files still stage.
 */
async function prepareFile(
  db: Database,
  loadId: string,
  entity: EntityName,
  screens: FileScreens | null,
  loadMembers: ReadonlySet<string> | null,
  parallelBuilds: (() => boolean) | null,
  log: (message: string) => void,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.exec(BULK_SORT_MEMORY);
    // Freshly filled staging tables have no statistics; without them the planner estimates one
    // row and nests loops over the whole load (minutes instead of seconds for 100,000 rows). A
    // swapped-in table keeps them.
    // Each step's time goes to the log beside the index builds': together they are a file's prepare.
    const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      const result = await work();
      log(`${what} staged ${entity} in ${secondsSince(started)} s`);
      return result;
    };
    await step('analysed', () => tx.exec(`ANALYZE staging_${entity}`));
    let dropped = await step('checked duplicates on', () => rejectDuplicates(tx, loadId, entity, screens?.repeated ?? undefined));
    if (entity === 'observation') dropped += await step('checked blood-pressure pairs on', () => rejectSwappedBloodPressure(tx, loadId, screens?.swappedPanels ?? null));
    if (entity !== 'member' && hasMemberId(entity)) {
      const named = screens?.members ?? null;
      dropped += await step('checked members on', () =>
        rejectUnknownMembers(tx, loadId, entity, named && loadMembers ? named.filter((id) => !loadMembers.has(id)) : named),
      );
    }
    await indexForSwap(tx, loadId, entity, parallelBuilds, log);
    await tx.query(`UPDATE load_file SET rows_dropped = $3, prepared = true WHERE load_id = $1 AND entity = $2`, [loadId, entity, dropped]);
  });
}

/** Publish every entity of the load in one transaction; returns the entities swapped in. */
async function publish(db: Database, loadId: string, entities: EntityName[], log: (message: string) => void): Promise<Set<EntityName>> {
  const swapped = new Set<EntityName>();
  await db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.exec(BULK_SORT_MEMORY);
    for (const entity of entities) {
      // Each step's time goes to the log: at 50 million rows a copy takes minutes, a swap not.
      const started = Date.now();
      const how = await publishEntity(tx, loadId, entity, log);
      if (how === SWAPPED) swapped.add(entity);
      log(`publish: ${entity} ${how} in ${secondsSince(started)} s`);
    }
    const dropped = await tx.query<{ entity: string; rows_dropped: number }>(`SELECT entity, rows_dropped FROM load_file WHERE load_id = $1`, [loadId]);
    await tx.query(`UPDATE loads SET status = 'published', finished_at = now(), counts = $2::jsonb WHERE load_id = $1`, [
      loadId,
      JSON.stringify(Object.fromEntries(dropped.rows.map((r) => [r.entity, Number(r.rows_dropped)]))),
    ]);
  });
  return swapped;
}

/**
 * The first occurrence of a key in a load wins; later ones are rejected naming that first line.
 * `candidates`, when known, holds every key that may repeat (DuplicateSieve): only those rows are
 * ranked, instead of sorting the whole staged file.
 */
async function rejectDuplicates(tx: Queryable, loadId: string, entity: EntityName, candidates: string[] | undefined): Promise<number> {
  if (candidates && candidates.length === 0) return 0;
  const pk = PRIMARY_KEY[entity];
  const table = `staging_${entity}`;
  const r = await tx.query(
    `WITH ranked AS (
       SELECT ctid AS row_ref, ${pk} AS key, source_line,
              row_number() OVER (PARTITION BY ${pk} ORDER BY source_line) AS n,
              min(source_line) OVER (PARTITION BY ${pk}) AS first_line
         FROM ${table} WHERE load_id = $1${candidates ? ` AND ${pk} = ANY ($3::text[])` : ''}),
     extra AS (SELECT * FROM ranked WHERE n > 1),
     -- Row references as an array: a TID scan, never a nested loop over the whole staging table.
     dropped AS (DELETE FROM ${table} t WHERE t.ctid = ANY (ARRAY(SELECT row_ref FROM extra)) RETURNING t.ctid AS row_ref)
     INSERT INTO load_reject (load_id, entity, source_line, record_id, field, rule, message)
     SELECT $1, $2, extra.source_line, extra.key, '${pk}', 'duplicate', 'duplicate of line ' || extra.first_line
       FROM extra JOIN dropped USING (row_ref)`,
    candidates ? [loadId, entity, candidates] : [loadId, entity],
  );
  return r.rowCount;
}

/**
 * A BP pair whose systolic half is below its diastolic half has its values swapped: both halves
 * are rejected. `panels`, when known, holds every panel that may hold such a pair
 * (SwappedPanelSieve): only their readings are paired, instead of joining every staged reading.
 */
async function rejectSwappedBloodPressure(tx: Queryable, loadId: string, panels: string[] | null): Promise<number> {
  if (panels && panels.length === 0) return 0;
  const readings = panels
    ? `SELECT ctid AS row_ref, observation_id, source_line, panel_id, code, value FROM staging_observation
        WHERE load_id = $1 AND code IN ($2, $3) AND panel_id = ANY ($4::text[])`
    : `SELECT ctid AS row_ref, observation_id, source_line, panel_id, code, value FROM staging_observation
        WHERE load_id = $1 AND code IN ($2, $3) AND panel_id IS NOT NULL`;
  const r = await tx.query(
    `WITH readings AS MATERIALIZED (${readings}),
     pairs AS (
       SELECT s.row_ref AS s_ref, d.row_ref AS d_ref, s.observation_id AS s_id, d.observation_id AS d_id,
              s.source_line AS s_line, d.source_line AS d_line, s.value AS sys, d.value AS dia
         FROM readings s
         JOIN readings d ON d.panel_id = s.panel_id AND d.code = $3
        WHERE s.code = $2 AND s.value < d.value),
     halves AS (
       SELECT s_ref AS row_ref, s_id AS id, s_line AS line, sys, dia FROM pairs
       UNION ALL SELECT d_ref, d_id, d_line, sys, dia FROM pairs),
     dropped AS (DELETE FROM staging_observation t WHERE t.ctid = ANY (ARRAY(SELECT row_ref FROM halves)) RETURNING t.ctid AS row_ref)
     INSERT INTO load_reject (load_id, entity, source_line, record_id, field, rule, message)
     SELECT $1, 'observation', halves.line, halves.id, 'value', 'swapped-systolic-diastolic',
            'systolic ' || halves.sys || ' is below diastolic ' || halves.dia || ' in the same reading'
       FROM halves JOIN dropped USING (row_ref)`,
    panels ? [loadId, LOINC.systolic, LOINC.diastolic, panels] : [loadId, LOINC.systolic, LOINC.diastolic],
  );
  return r.rowCount;
}

/**
 * Rows about a member neither in the store nor in this load cannot be attributed to anyone.
 * `members`, when known, lists every member the file names that may be unknown (those staged by
 * this run from the member file left out): only the rows of those found unknown are then looked
 * for (usually none, so the staged file is not scanned at all).
 */
async function rejectUnknownMembers(tx: Queryable, loadId: string, entity: EntityName, members: string[] | null): Promise<number> {
  if (members && members.length === 0) return 0;
  let unknown: string[] | null = null;
  if (members) {
    const r = await tx.query<{ member_id: string }>(
      `SELECT id AS member_id FROM unnest($2::text[]) AS id
        WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.member_id = id)
          AND NOT EXISTS (SELECT 1 FROM staging_member sm WHERE sm.load_id = $1 AND sm.member_id = id)`,
      [loadId, members],
    );
    unknown = r.rows.map((row) => row.member_id);
    if (unknown.length === 0) return 0;
  }
  const pk = PRIMARY_KEY[entity];
  const r = await tx.query(
    `WITH orphans AS (
       DELETE FROM staging_${entity} t
        WHERE t.load_id = $1${unknown ? ' AND t.member_id = ANY ($3::text[])' : ''}
          AND NOT EXISTS (SELECT 1 FROM member m WHERE m.member_id = t.member_id)
          AND NOT EXISTS (SELECT 1 FROM staging_member sm WHERE sm.load_id = $1 AND sm.member_id = t.member_id)
       RETURNING t.${pk} AS key, t.source_line)
     INSERT INTO load_reject (load_id, entity, source_line, record_id, field, rule, message)
     SELECT $1, $2, source_line, key, 'member_id', 'unknown-member', 'member is not in the store or this load' FROM orphans`,
    unknown ? [loadId, entity, unknown] : [loadId, entity],
  );
  return r.rowCount;
}

/** Whether rows of other loads sit in `entity`'s staging table (a load's staged rows leave with its publish). */
async function otherLoadsStaged(tx: Queryable, loadId: string, entity: EntityName): Promise<boolean> {
  const r = await tx.query<{ others: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM load_file f JOIN loads l USING (load_id)
                     WHERE f.entity = $2 AND f.load_id <> $1 AND l.status = 'staging' AND f.rows_accepted > f.rows_dropped) AS others`,
    [loadId, entity],
  );
  return r.rows[0]?.others === true;
}

async function isEmpty(tx: Queryable, table: string): Promise<boolean> {
  return (await tx.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`)).rows[0]?.empty === true;
}

/** One index of a published table, and the same index as built on its staging table for a swap. */
interface IndexSpec {
  name: string;
  /** 'p' or 'u' when the index backs a primary-key or unique constraint. */
  constraint: string | null;
  stagedName: string;
  stagedDefinition: string;
}

const STAGED_SUFFIX = '_staged';
const SWAPPED = 'swapped in';

/** The published table's indexes; null when one cannot be rebuilt on staging exactly (no swap then). */
async function swapIndexes(tx: Queryable, entity: EntityName): Promise<IndexSpec[] | null> {
  const r = await tx.query<{ name: string; constraint: string | null; deferrable: boolean | null; definition: string; staged_definition: string }>(
    `SELECT ic.relname AS name, c.contype AS constraint, c.condeferrable AS deferrable, pg_get_indexdef(i.indexrelid) AS definition,
            replace(pg_get_indexdef(i.indexrelid), format(' INDEX %I ON %I.%I ', ic.relname, n.nspname, t.relname),
                    format(' INDEX %I ON %I.%I ', ic.relname || '${STAGED_SUFFIX}', n.nspname, 'staging_' || t.relname)) AS staged_definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      WHERE i.indrelid = $1::regclass
      ORDER BY ic.relname`,
    [entity],
  );
  const specs: IndexSpec[] = [];
  for (const row of r.rows) {
    // Names longer than PostgreSQL's 63 bytes would be truncated; other constraints cannot be re-attached.
    if (Buffer.byteLength(row.name) + STAGED_SUFFIX.length > 63) return null;
    if (row.constraint !== null && (!['p', 'u'].includes(row.constraint) || row.deferrable)) return null;
    if (row.staged_definition === row.definition) return null;
    specs.push({ name: row.name, constraint: row.constraint, stagedName: row.name + STAGED_SUFFIX, stagedDefinition: row.staged_definition });
  }
  return specs;
}

/**
 * Whether `entity`'s table can be replaced by its staging table without losing anything but its
 * (empty) rows: nothing else refers to it (views, foreign keys, triggers, policies, grants,
 * comments, inheritance), and both have the same columns in the same order. Anything else and the
 * publish copies the rows instead.
 */
async function swappable(tx: Queryable, entity: EntityName): Promise<boolean> {
  const r = await tx.query<{ ok: boolean }>(
    `WITH t AS (SELECT $1::regclass AS oid), s AS (SELECT $2::regclass AS oid),
     cols AS (
       SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attcollation, pg_get_expr(d.adbin, d.adrelid) AS dflt,
              row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS position
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid IN ((SELECT oid FROM t), (SELECT oid FROM s)) AND a.attnum > 0 AND NOT a.attisdropped)
     SELECT
       -- Only the table's own row type, toast table, indexes, column defaults, key and (PostgreSQL 18)
       -- not-null constraints depend on it.
       NOT EXISTS (
         SELECT 1 FROM pg_depend d, t
          WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid
            AND NOT (d.classid = 'pg_type'::regclass AND d.deptype = 'i')
            AND NOT (d.classid = 'pg_attrdef'::regclass)
            AND NOT (d.classid = 'pg_class'::regclass AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = d.objid AND c.relkind IN ('i', 't')))
            AND NOT (d.classid = 'pg_constraint'::regclass AND EXISTS (
                  SELECT 1 FROM pg_constraint c WHERE c.oid = d.objid AND c.conrelid = t.oid AND c.contype IN ('p', 'u', 'n'))))
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c, t WHERE c.confrelid = t.oid)
       AND NOT EXISTS (SELECT 1 FROM pg_trigger g, t WHERE g.tgrelid = t.oid)
       AND NOT EXISTS (SELECT 1 FROM pg_description d, t WHERE d.objoid = t.oid AND d.classoid = 'pg_class'::regclass)
       AND NOT EXISTS (SELECT 1 FROM pg_inherits h, t WHERE h.inhrelid = t.oid OR h.inhparent = t.oid)
       AND (SELECT c.relacl IS NULL AND NOT c.relrowsecurity AND c.relkind = 'r' AND c.relpersistence = 'p' FROM pg_class c, t WHERE c.oid = t.oid)
       AND (SELECT c.relkind = 'r' AND c.relpersistence = 'p' AND c.relowner = (SELECT relowner FROM pg_class, t WHERE pg_class.oid = t.oid)
              FROM pg_class c, s WHERE c.oid = s.oid)
       AND NOT EXISTS (
         SELECT 1 FROM (SELECT * FROM cols WHERE attrelid = (SELECT oid FROM t)) a
         FULL JOIN (SELECT * FROM cols WHERE attrelid = (SELECT oid FROM s)) b USING (position)
         WHERE a.attname IS DISTINCT FROM b.attname OR a.atttypid IS DISTINCT FROM b.atttypid OR a.atttypmod IS DISTINCT FROM b.atttypmod
            OR a.attnotnull IS DISTINCT FROM b.attnotnull OR a.attcollation IS DISTINCT FROM b.attcollation OR a.dflt IS DISTINCT FROM b.dflt)
       AS ok`,
    [entity, `staging_${entity}`],
  );
  return r.rows[0]?.ok === true;
}

/** The indexes on `entity`'s staging table, by name, with their definitions. */
async function stagingIndexes(tx: Queryable, entity: EntityName): Promise<Map<string, string>> {
  const r = await tx.query<{ name: string; definition: string }>(
    `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = $1::regclass`,
    [`staging_${entity}`],
  );
  return new Map(r.rows.map((row) => [row.name, row.definition]));
}

/**
 * Build the published table's indexes on a staged file that will be swapped in: its table is
 * empty and its staging table holds no other load. Each index is built once, by sorting, before
 * the publish transaction and beside the other lane's work. Skipped (the publish then inserts)
 * when the table cannot be swapped.
 */
async function indexForSwap(
  tx: Queryable,
  loadId: string,
  entity: EntityName,
  parallelBuilds: (() => boolean) | null,
  log: (message: string) => void,
): Promise<void> {
  if (!(await isEmpty(tx, entity)) || (await otherLoadsStaged(tx, loadId, entity)) || !(await swappable(tx, entity))) return;
  const specs = await swapIndexes(tx, entity);
  if (!specs) return;
  const existing = await stagingIndexes(tx, entity);
  for (const spec of specs) {
    if (existing.get(spec.stagedName) === spec.stagedDefinition) continue;
    if (existing.has(spec.stagedName)) await tx.exec(`DROP INDEX ${quoteIdentifier(spec.stagedName)}`);
    if (parallelBuilds) await tx.exec(`SET LOCAL max_parallel_maintenance_workers = ${parallelBuilds() ? 'DEFAULT' : 0}`);
    const started = Date.now();
    await tx.exec(spec.stagedDefinition);
    log(`built ${spec.name} on staged ${entity} in ${secondsSince(started)} s`);
  }
}

/**
 * Publish one entity of the load (inside the publish transaction); says how.
 * - Swap: the table is empty and its staging table, holding just this load, carries the table's
 *   indexes (indexForSwap): the staging table becomes the table, and a new empty staging table
 *   takes its place. The rows are never copied. Readers wait on the lock until the publish
 *   commits, then see the whole load. (A REPEATABLE READ transaction that began before the
 *   publish and first reads the table after it sees the new table in full, not the empty one.)
 * - Otherwise the staged rows are inserted (upserted into a table that has rows).
 */
async function publishEntity(tx: Queryable, loadId: string, entity: EntityName, log: (message: string) => void): Promise<string> {
  // Writers wait; readers keep reading the table as it was until the swap or commit.
  await tx.exec(`LOCK TABLE ${entity} IN SHARE ROW EXCLUSIVE MODE`);
  const empty = await isEmpty(tx, entity);
  if (empty) {
    await tx.exec(`LOCK TABLE ${entity}, staging_${entity} IN ACCESS EXCLUSIVE MODE`);
    const specs = await swapIndexes(tx, entity);
    const staged = await stagingIndexes(tx, entity);
    const ready =
      specs !== null &&
      staged.size === specs.length &&
      specs.every((spec) => staged.get(spec.stagedName) === spec.stagedDefinition) &&
      !(await otherLoadsStaged(tx, loadId, entity)) &&
      (await swappable(tx, entity));
    if (ready) {
      await tx.exec(`DROP TABLE ${entity}`);
      await tx.exec(`ALTER TABLE staging_${entity} RENAME TO ${entity}`);
      for (const spec of specs!) {
        if (spec.constraint === null) await tx.exec(`ALTER INDEX ${quoteIdentifier(spec.stagedName)} RENAME TO ${quoteIdentifier(spec.name)}`);
        else
          await tx.exec(
            `ALTER TABLE ${entity} ADD CONSTRAINT ${quoteIdentifier(spec.name)} ${spec.constraint === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${quoteIdentifier(spec.stagedName)}`,
          );
      }
      await tx.exec(`CREATE TABLE staging_${entity} (LIKE ${entity} INCLUDING DEFAULTS)`);
      return SWAPPED;
    }
  }
  return upsert(tx, loadId, entity, empty, log);
}

/** `empty`: the table had no rows when publishEntity locked it (the lock keeps it so until commit). */
async function upsert(tx: Queryable, loadId: string, entity: EntityName, empty: boolean, log: (message: string) => void): Promise<string> {
  const pk = PRIMARY_KEY[entity];
  const cols = [...contractColumns(entity).map((c) => c.name), ...LINEAGE_COLUMNS];
  const list = cols.join(', ');
  const updates = cols.filter((c) => c !== pk).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  if (empty) {
    // A first load into an empty table cannot conflict (duplicates within the load were removed
    // at prepare), so a plain INSERT with the table's indexes dropped, then each index built once
    // by sorting: measured 2.5x less work than maintaining them row by row. Dropping an index
    // locks the table against readers until this transaction commits; it has nothing to show.
    const indexes = await dropIndexes(tx, entity);
    await tx.query(`INSERT INTO ${entity} (${list}) SELECT ${list} FROM staging_${entity} WHERE load_id = $1`, [loadId]);
    for (const index of indexes) {
      const started = Date.now();
      await tx.exec(index.create);
      log(`publish: built ${index.name} in ${secondsSince(started)} s`);
    }
  } else {
    await tx.query(`INSERT INTO ${entity} (${list}) SELECT ${list} FROM staging_${entity} WHERE load_id = $1 ON CONFLICT (${pk}) DO UPDATE SET ${updates}`, [loadId]);
  }
  // When the staging table holds only this load (the usual case), TRUNCATE empties it at once
  // instead of deleting and vacuuming millions of rows; it is transactional, like the DELETE.
  if (await otherLoadsStaged(tx, loadId, entity)) await tx.query(`DELETE FROM staging_${entity} WHERE load_id = $1`, [loadId]);
  else {
    await tx.exec(`TRUNCATE staging_${entity}`);
    // Indexes built for a swap that did not happen would slow the next load's staging.
    for (const name of (await stagingIndexes(tx, entity)).keys()) if (name.endsWith(STAGED_SUFFIX)) await tx.exec(`DROP INDEX ${quoteIdentifier(name)}`);
  }
  return empty ? 'inserted (indexes rebuilt)' : 'upserted';
}

/** Drop `table`'s indexes (primary key included); returns the statements that recreate them. */
async function dropIndexes(tx: Queryable, table: string): Promise<{ name: string; create: string }[]> {
  const r = await tx.query<{ name: string; drop: string; create: string }>(
    `SELECT ic.relname AS name,
            CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
                 ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname) END AS drop,
            CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                 ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) END AS create
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      WHERE i.indrelid = $1::regclass
      ORDER BY i.indisprimary DESC, ic.relname`,
    [table],
  );
  for (const index of r.rows) await tx.exec(index.drop);
  return r.rows.map(({ name, create }) => ({ name, create }));
}

async function writeRejectFile(db: Database, loadId: string, file: string, from: string): Promise<Record<string, number>> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const byRule: Record<string, number> = {};
  out.write('entity,source_file,line,record_id,field,rule,message,raw\n');
  const pageSize = 10_000;
  for (let offset = 0; ; offset += pageSize) {
    const page = await db.query<{ entity: string; source_line: number | null; record_id: string | null; field: string; rule: string; message: string; raw: string | null }>(
      `SELECT entity, source_line, record_id, field, rule, message, raw FROM load_reject WHERE load_id = $1
        ORDER BY entity, source_line, field LIMIT ${pageSize} OFFSET ${offset}`,
      [loadId],
    );
    for (const r of page.rows) {
      byRule[r.rule] = (byRule[r.rule] ?? 0) + 1;
      const line = [r.entity, path.relative(process.cwd(), path.join(from, `${r.entity}.csv`)), r.source_line ?? '', r.record_id ?? '', r.field, r.rule, r.message, r.raw ?? '']
        .map((v) => csvField(v))
        .join(',');
      if (!out.write(line + '\n')) await once(out, 'drain');
    }
    if (page.rows.length < pageSize) break;
  }
  out.end();
  await once(out, 'finish');
  return byRule;
}

async function summarise(db: Database, loadId: string): Promise<EntityLoadSummary[]> {
  const files = await db.query<LoadFileRow>(`SELECT * FROM load_file WHERE load_id = $1`, [loadId]);
  const byEntity = new Map(files.rows.map((f) => [f.entity, f]));
  const out: EntityLoadSummary[] = [];
  for (const entity of ENTITY_NAMES) {
    const f = byEntity.get(entity);
    if (!f) continue;
    const rejectedAtPublish = Number(f.rows_dropped);
    out.push({
      entity,
      read: Number(f.rows_done),
      accepted: Number(f.rows_accepted),
      rejected: Number(f.rows_rejected),
      converted: Number(f.rows_converted),
      rejectedAtPublish,
      published: Number(f.rows_accepted) - rejectedAtPublish,
    });
  }
  return out;
}
