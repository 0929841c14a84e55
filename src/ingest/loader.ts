/**
 * `stratum load`: validate every row of a population folder against the contracts, stage it in
 * chunks, and publish the whole load in one transaction.
 *
 * - Nothing is silently dropped: a rejected row is stored in `load_reject` with the field and
 *   the rule, and the reject file is written from there.
 * - Resumable: each chunk is staged in the same transaction that advances its file's
 *   `rows_done`, so a load killed midway continues after its last committed chunk.
 * - Atomic: duplicates, swapped blood-pressure halves and rows naming unknown members are found
 *   by SQL over the whole load, then every entity is upserted in a single transaction, so
 *   readers see all of a load or none of it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { contractColumns, ENTITY_NAMES, LOINC, PRIMARY_KEY, type EntityName } from '../../data-contracts/v1/index.ts';
import type { Database, Queryable } from '../store/database.ts';
import { csvField, readCsvBatches } from './csv.ts';
import { headerIndex, rowDecoder } from './decode.ts';

const LINEAGE_COLUMNS = ['load_id', 'source_file', 'source_line'] as const;
const REJECT_COLUMNS = ['load_id', 'entity', 'source_line', 'record_id', 'field', 'rule', 'message', 'raw'] as const;
/** Raw text kept in a reject row, enough to recognise the record without storing whole files. */
const RAW_REJECT_LIMIT = 2000;
/** Files staged at once on PostgreSQL: one per core of the 2-core target machine. */
const STAGING_LANES = 2;

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
  finished: boolean;
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

  // On PostgreSQL two files stage at once, each on its own pooled connection, so both cores are
  // busy (the server parsing one file's COPY while this process decodes the other's rows). Each
  // file keeps its own load_file progress row, so a resumed load still skips exactly what each
  // file committed. PGlite has one connection: its files go one after another.
  const lanes = db.engine === 'postgres' ? Math.min(STAGING_LANES, files.length) : 1;
  const queue = [...files].sort((a, b) => fileSize(from, b) - fileSize(from, a));
  const stop = new AbortController();
  const lane = async () => {
    for (let entity = queue.shift(); entity !== undefined && !stop.signal.aborted; entity = queue.shift()) {
      const file = path.join(from, `${entity}.csv`);
      const state = await fileState(db, loadId, entity, file);
      if (state.finished) continue;
      const started = Date.now();
      await stageFile(db, loadId, entity, file, Number(state.rows_done), chunkRows, options.onChunk, stop.signal);
      log(`staged ${entity} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  };
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

  const atPublish = await publish(db, loadId, files, log);
  // Fresh statistics for the planner: PGlite has no autovacuum, and without them reads of a few
  // members' records fall back to plans several times slower.
  for (const entity of files) await db.exec(`ANALYZE ${entity}`);
  const rejectsFile = path.resolve(options.rejectsFile ?? path.join(from, 'rejects.csv'));
  const rejectsByRule = await writeRejectFile(db, loadId, rejectsFile, from);
  const entities = await summarise(db, loadId, atPublish);
  log(`published load ${loadId}: ${entities.reduce((s, e) => s + e.published, 0)} rows; ${Object.values(rejectsByRule).reduce((s, n) => s + n, 0)} rejected (see ${rejectsFile})`);
  return { loadId, resumed, entities, rejectsFile, rejectsByRule };
}

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

async function stageFile(
  db: Database,
  loadId: string,
  entity: EntityName,
  file: string,
  alreadyDone: number,
  chunkRows: number,
  onChunk: LoadOptions['onChunk'],
  stop: AbortSignal,
): Promise<void> {
  const columns = contractColumns(entity).map((c) => c.name);
  const sourceFile = path.basename(file);
  let decode: ReturnType<typeof rowDecoder> | null = null;
  let accepted: unknown[][] = [];
  let rejects: unknown[][] = [];
  let converted = 0;
  let inChunk = 0;
  let done = alreadyDone;
  let totals = { accepted: 0, rejected: 0 };

  const flush = async (finished: boolean) => {
    const a = accepted;
    const r = rejects;
    const n = inChunk;
    const conv = converted;
    const acceptedCount = a.length;
    const rejectedRows = new Set(r.map((row) => row[2])).size;
    accepted = [];
    rejects = [];
    inChunk = 0;
    converted = 0;
    await db.transaction(async (tx) => {
      // A chunk need not wait for its WAL flush: a crash can lose only whole recent chunks
      // together with their rows_done, and the resumed load stages them again. Publish stays durable.
      if (db.engine === 'postgres') await tx.exec('SET LOCAL synchronous_commit = off');
      if (a.length) await tx.copyFrom(`staging_${entity}`, [...columns, ...LINEAGE_COLUMNS], a);
      if (r.length) await tx.copyFrom('load_reject', REJECT_COLUMNS, r);
      await tx.query(
        `UPDATE load_file SET rows_done = rows_done + $3, rows_accepted = rows_accepted + $4, rows_rejected = rows_rejected + $5,
                rows_converted = rows_converted + $6, finished = $7 WHERE load_id = $1 AND entity = $2`,
        [loadId, entity, n, acceptedCount, rejectedRows, conv, finished],
      );
    });
    done += n;
    totals = { accepted: totals.accepted + acceptedCount, rejected: totals.rejected + rejectedRows };
    onChunk?.({ entity, rowsDone: done, ...totals });
  };

  // One chunk is written while the next is decoded, so the database and this thread work at the
  // same time; chunks still commit one after another, in file order, which keeps rows_done exact.
  let writing: Promise<void> = Promise.resolve();
  const startFlush = async (finished: boolean) => {
    await writing;
    stop.throwIfAborted();
    writing = flush(finished);
    // Surface a failed write (or an onChunk that stops the load) before decoding further.
    writing.catch(() => {});
  };

  for await (const batch of readCsvBatches(file, { skipRecords: alreadyDone })) {
    if ('header' in batch) {
      decode = rowDecoder(entity, headerIndex(entity, batch.header, sourceFile), batch.header.length);
      continue;
    }
    for (const item of batch) {
      inChunk++;
      const decoded = decode!(item.fields, item.line);
      if (decoded.ok) {
        const values = decoded.values;
        values.push(loadId, sourceFile, item.line);
        accepted.push(values);
        if (decoded.converted) converted++;
      } else {
        const raw = item.raw.length > RAW_REJECT_LIMIT ? item.raw.slice(0, RAW_REJECT_LIMIT) : item.raw;
        for (const v of decoded.violations) rejects.push([loadId, entity, item.line, decoded.recordId, v.path, v.rule, v.message, raw]);
      }
      if (inChunk >= chunkRows) await startFlush(false);
    }
  }
  await startFlush(true);
  await writing;
}

/** SQL checks that need the whole load, then the atomic publish. Returns rows rejected per entity. */
async function publish(db: Database, loadId: string, entities: EntityName[], log: (message: string) => void): Promise<Map<EntityName, number>> {
  const rejected = new Map<EntityName, number>();
  const add = (entity: EntityName, n: number) => rejected.set(entity, (rejected.get(entity) ?? 0) + n);
  // Each publish step's time goes to the log: at 50 million rows they are minutes, and worth seeing.
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    log(`publish: ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  await db.transaction(async (tx) => {
    // Sorts over a whole load (duplicates, index maintenance) spill to disk at the default 4 MB.
    if (db.engine === 'postgres') await tx.exec(`SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'`);
    // Freshly filled staging tables have no statistics; without them the planner estimates one
    // row and nests loops over the whole load (minutes instead of seconds for 100,000 rows).
    await timed('analyze staging', async () => {
      for (const entity of entities) await tx.exec(`ANALYZE staging_${entity}`);
    });
    for (const entity of entities) add(entity, await timed(`duplicates ${entity}`, () => rejectDuplicates(tx, loadId, entity)));
    add('observation', await timed('swapped blood pressure', () => rejectSwappedBloodPressure(tx, loadId)));
    for (const entity of entities) {
      if (entity === 'member' || !contractColumns(entity).some((c) => c.name === 'member_id')) continue;
      add(entity, await timed(`unknown members ${entity}`, () => rejectUnknownMembers(tx, loadId, entity)));
    }
    for (const entity of entities) await timed(`upsert ${entity}`, () => upsert(tx, loadId, entity));
    await tx.query(`UPDATE loads SET status = 'published', finished_at = now(), counts = $2::jsonb WHERE load_id = $1`, [
      loadId,
      JSON.stringify(Object.fromEntries(rejected)),
    ]);
  });
  return rejected;
}

/** The first occurrence of a key in a load wins; later ones are rejected naming that first line. */
async function rejectDuplicates(tx: Queryable, loadId: string, entity: EntityName): Promise<number> {
  const pk = PRIMARY_KEY[entity];
  const table = `staging_${entity}`;
  const r = await tx.query(
    `WITH ranked AS (
       SELECT ctid AS row_ref, ${pk} AS key, source_line,
              row_number() OVER (PARTITION BY ${pk} ORDER BY source_line) AS n,
              min(source_line) OVER (PARTITION BY ${pk}) AS first_line
         FROM ${table} WHERE load_id = $1),
     extra AS (SELECT * FROM ranked WHERE n > 1),
     -- Row references as an array: a TID scan, never a nested loop over the whole staging table.
     dropped AS (DELETE FROM ${table} t WHERE t.ctid = ANY (ARRAY(SELECT row_ref FROM extra)) RETURNING t.ctid AS row_ref)
     INSERT INTO load_reject (load_id, entity, source_line, record_id, field, rule, message)
     SELECT $1, $2, extra.source_line, extra.key, '${pk}', 'duplicate', 'duplicate of line ' || extra.first_line
       FROM extra JOIN dropped USING (row_ref)`,
    [loadId, entity],
  );
  return r.rowCount;
}

/** A BP pair whose systolic half is below its diastolic half has its values swapped: both halves are rejected. */
async function rejectSwappedBloodPressure(tx: Queryable, loadId: string): Promise<number> {
  const r = await tx.query(
    `WITH pairs AS (
       SELECT s.ctid AS s_ref, d.ctid AS d_ref, s.observation_id AS s_id, d.observation_id AS d_id,
              s.source_line AS s_line, d.source_line AS d_line, s.value AS sys, d.value AS dia
         FROM staging_observation s
         JOIN staging_observation d ON d.load_id = s.load_id AND d.panel_id = s.panel_id AND d.code = $3
        WHERE s.load_id = $1 AND s.code = $2 AND s.panel_id IS NOT NULL AND s.value < d.value),
     halves AS (
       SELECT s_ref AS row_ref, s_id AS id, s_line AS line, sys, dia FROM pairs
       UNION ALL SELECT d_ref, d_id, d_line, sys, dia FROM pairs),
     dropped AS (DELETE FROM staging_observation t WHERE t.ctid = ANY (ARRAY(SELECT row_ref FROM halves)) RETURNING t.ctid AS row_ref)
     INSERT INTO load_reject (load_id, entity, source_line, record_id, field, rule, message)
     SELECT $1, 'observation', halves.line, halves.id, 'value', 'swapped-systolic-diastolic',
            'systolic ' || halves.sys || ' is below diastolic ' || halves.dia || ' in the same reading'
       FROM halves JOIN dropped USING (row_ref)`,
    [loadId, LOINC.systolic, LOINC.diastolic],
  );
  return r.rowCount;
}

/** Rows about a member neither in the store nor in this load cannot be attributed to anyone. */
async function rejectUnknownMembers(tx: Queryable, loadId: string, entity: EntityName): Promise<number> {
  const pk = PRIMARY_KEY[entity];
  const r = await tx.query(
    `WITH orphans AS (
       DELETE FROM staging_${entity} t
        WHERE t.load_id = $1
          AND NOT EXISTS (SELECT 1 FROM member m WHERE m.member_id = t.member_id)
          AND NOT EXISTS (SELECT 1 FROM staging_member sm WHERE sm.load_id = $1 AND sm.member_id = t.member_id)
       RETURNING t.${pk} AS key, t.source_line)
     INSERT INTO load_reject (load_id, entity, source_line, record_id, field, rule, message)
     SELECT $1, $2, source_line, key, 'member_id', 'unknown-member', 'member is not in the store or this load' FROM orphans`,
    [loadId, entity],
  );
  return r.rowCount;
}

async function upsert(tx: Queryable, loadId: string, entity: EntityName): Promise<void> {
  const pk = PRIMARY_KEY[entity];
  const cols = [...contractColumns(entity).map((c) => c.name), ...LINEAGE_COLUMNS];
  const list = cols.join(', ');
  const updates = cols.filter((c) => c !== pk).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  // A first load into an empty table cannot conflict (duplicates within the load were removed
  // above): a plain INSERT skips the per-row conflict probe, about a third of the publish time.
  // The check runs inside the publish transaction, whose lock below keeps it true until commit.
  await tx.exec(`LOCK TABLE ${entity} IN SHARE ROW EXCLUSIVE MODE`);
  const empty = (await tx.query(`SELECT NOT EXISTS (SELECT 1 FROM ${entity}) AS empty`)).rows[0]?.empty === true;
  await tx.query(
    `INSERT INTO ${entity} (${list}) SELECT ${list} FROM staging_${entity} WHERE load_id = $1` +
      (empty ? '' : ` ON CONFLICT (${pk}) DO UPDATE SET ${updates}`),
    [loadId],
  );
  // When the staging table holds only this load (the usual case), TRUNCATE empties it at once
  // instead of deleting and vacuuming millions of rows; it is transactional, like the DELETE.
  const others = (await tx.query(`SELECT EXISTS (SELECT 1 FROM staging_${entity} WHERE load_id <> $1) AS others`, [loadId])).rows[0]?.others === true;
  if (others) await tx.query(`DELETE FROM staging_${entity} WHERE load_id = $1`, [loadId]);
  else await tx.exec(`TRUNCATE staging_${entity}`);
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

async function summarise(db: Database, loadId: string, atPublish: Map<EntityName, number>): Promise<EntityLoadSummary[]> {
  const files = await db.query<LoadFileRow>(`SELECT * FROM load_file WHERE load_id = $1`, [loadId]);
  const byEntity = new Map(files.rows.map((f) => [f.entity, f]));
  const out: EntityLoadSummary[] = [];
  for (const entity of ENTITY_NAMES) {
    const f = byEntity.get(entity);
    if (!f) continue;
    const rejectedAtPublish = atPublish.get(entity) ?? 0;
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
