/**
 * Whole-population scoring jobs. A job walks members in id order, a page at a time; each page's
 * results, problems and the job's cursor commit in one transaction, so a job interrupted by a
 * crash resumes after its last committed page and never scores a member twice.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger.ts';
import type { Database } from '../store/database.ts';
import { fetchMemberRecordTexts } from '../store/members.ts';
import { ModelSet } from './model-set.ts';
import { scoreRecordTexts, type RecordScorer } from './service.ts';

/**
 * Members per committed page. Small, because on the embedded store every query runs on the
 * event loop: a 500-member page held other requests up for seconds, 100 keeps it well under one.
 */
export const JOB_PAGE_SIZE = 100;

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobRow {
  job_id: string;
  status: JobStatus;
  as_of: string;
  institution_id: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cursor_member: string;
  total: number;
  done: number;
  failed: number;
  error: string | null;
  /** The version of each task's model the job scores with, fixed when it first starts. */
  model_versions: Record<string, number> | null;
}

export async function createJob(db: Database, input: { asOf: string; institutionId?: string | null; createdBy: string }): Promise<JobRow> {
  const jobId = `job-${randomUUID()}`;
  const total = await countMembers(db, input.institutionId ?? null, input.asOf);
  await db.query(`INSERT INTO score_job (job_id, status, as_of, institution_id, created_by, total) VALUES ($1, 'queued', $2, $3, $4, $5)`, [jobId, input.asOf, input.institutionId ?? null, input.createdBy, total]);
  return (await getJob(db, jobId))!;
}

const JOB_COLUMNS = `job_id, status, to_char(as_of, 'YYYY-MM-DD') AS as_of, institution_id, created_by, created_at::text, started_at::text, finished_at::text, cursor_member, total, done, failed, error, model_versions`;

export async function getJob(db: Pick<Database, 'query'>, jobId: string): Promise<JobRow | null> {
  const r = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM score_job WHERE job_id = $1`, [jobId]);
  return r.rows[0] ?? null;
}

async function countMembers(db: Database, institutionId: string | null, asOf: string): Promise<number> {
  const r = institutionId
    ? await db.query<{ n: number }>(`SELECT count(DISTINCT member_id)::int AS n FROM signup WHERE institution_id = $1 AND from_date < $2::date AND (to_date IS NULL OR to_date >= $2::date)`, [institutionId, asOf])
    : await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM member`);
  return Number(r.rows[0]!.n);
}

async function nextPage(db: Database, job: JobRow, after: string, size: number): Promise<string[]> {
  const r = job.institution_id
    ? await db.query<{ member_id: string }>(
        `SELECT DISTINCT member_id FROM signup WHERE institution_id = $1 AND member_id > $2 AND from_date < $4::date AND (to_date IS NULL OR to_date >= $4::date)
          ORDER BY member_id LIMIT $3`,
        [job.institution_id, after, size, job.as_of],
      )
    : await db.query<{ member_id: string }>(`SELECT member_id FROM member WHERE member_id > $1 ORDER BY member_id LIMIT $2`, [after, size]);
  return r.rows.map((x) => x.member_id);
}

/**
 * Run (or resume) one job to completion. `served` are the models the service serves now; the job
 * scores with the versions it started with, which differ after a promotion or rollback between
 * its start and a resumption.
 */
export async function runJob(db: Database, jobId: string, served: ModelSet, scorer: RecordScorer, options: { pageSize?: number; onPage?: (job: JobRow) => void; shouldStop?: () => boolean } = {}): Promise<JobRow> {
  let job = await getJob(db, jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  if (job.status === 'done' || job.status === 'failed') return job;
  const started = await db.query<{ model_versions: Record<string, number> }>(
    `UPDATE score_job SET status = 'running', started_at = coalesce(started_at, now()), model_versions = coalesce(model_versions, $2::jsonb) WHERE job_id = $1 RETURNING model_versions`,
    [jobId, JSON.stringify(served.versions())],
  );
  let cursor = job.cursor_member;
  try {
    const models = await jobModels(db, started.rows[0]!.model_versions, served);
    for (;;) {
      // Stopping leaves the job 'running' with its cursor: the next start resumes it.
      if (options.shouldStop?.()) return job;
      const ids = await nextPage(db, job, cursor, options.pageSize ?? JOB_PAGE_SIZE);
      if (ids.length === 0) break;
      const { layout, records } = await fetchMemberRecordTexts(db, ids);
      const last = ids[ids.length - 1]!;
      await scoreRecordTexts(db, scorer, layout, records, job.as_of, models, jobId, async (tx, batch) => {
        for (const p of batch.problems) await tx.query(`INSERT INTO score_job_problem (job_id, member_id, code, message) VALUES ($1, $2, $3, $4)`, [jobId, p.memberId, p.code, p.message]);
        await tx.query(`UPDATE score_job SET cursor_member = $2, done = done + $3, failed = failed + $4 WHERE job_id = $1`, [jobId, last, batch.rows.length, batch.problems.length]);
      });
      cursor = last;
      job = (await getJob(db, jobId))!;
      options.onPage?.(job);
    }
    await db.query(`UPDATE score_job SET status = 'done', finished_at = now() WHERE job_id = $1`, [jobId]);
  } catch (err) {
    // A fatal problem (no model, database gone) stops the job; it stays resumable from its cursor.
    await db.query(`UPDATE score_job SET status = 'failed', error = $2 WHERE job_id = $1`, [jobId, err instanceof Error ? err.message.slice(0, 500) : 'failed']).catch(() => {});
    throw err;
  }
  return (await getJob(db, jobId))!;
}

/** The served set when it is the job's versions, else the job's versions loaded again. */
async function jobModels(db: Database, versions: Record<string, number>, served: ModelSet): Promise<ModelSet> {
  const now = served.versions();
  const same = Object.keys(now).length === Object.keys(versions).length && Object.entries(versions).every(([task, v]) => now[task] === v);
  return same ? served : ModelSet.loadVersions(db, versions);
}

/**
 * Runs queued jobs one at a time in the background of the service, and on start resumes any job
 * a crash left running.
 */
export class JobRunner {
  private running: Promise<void> | null = null;
  private stopped = false;
  private pending = false;

  constructor(
    private readonly db: Database,
    private readonly models: () => ModelSet,
    private readonly scorer: RecordScorer,
    private readonly logger: Logger,
  ) {}

  /** Resume interrupted jobs (status running or queued). */
  async resume(): Promise<void> {
    await this.db.query(`UPDATE score_job SET status = 'queued' WHERE status = 'running'`);
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    // A job queued while a drain is finishing must not wait for the next start.
    this.pending = true;
    if (this.running) return;
    this.running = (async () => {
      while (this.pending && !this.stopped) {
        this.pending = false;
        await this.drain();
      }
    })()
      .catch((err: unknown) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'job runner failed; queued jobs resume on the next start'))
      .finally(() => {
        this.running = null;
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const next = await this.db.query<{ job_id: string }>(`SELECT job_id FROM score_job WHERE status = 'queued' ORDER BY created_at LIMIT 1`);
      const jobId = next.rows[0]?.job_id;
      if (!jobId) return;
      const started = Date.now();
      try {
        const job = await runJob(this.db, jobId, this.models(), this.scorer, { shouldStop: () => this.stopped });
        if (this.stopped) return;
        this.logger.info({ jobId, scored: job.done, problems: job.failed, seconds: (Date.now() - started) / 1000 }, 'scoring job finished');
      } catch (err) {
        this.logger.error({ jobId, err: err instanceof Error ? err.message : String(err) }, 'scoring job failed');
      }
    }
  }

  /** Stop after the current page (the job resumes on next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
