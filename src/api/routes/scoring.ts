/**
 * /v1/score, /v1/score/batch, /v1/jobs and the clinics' high-risk lists. A clinic sees only
 * members attributed to its own institution, by every route: another institution's member is
 * "not found", never "forbidden", so existence does not leak either.
 */
import { z } from 'zod';
import {
  BatchScoreRequest,
  BatchScoreResponse,
  HighRiskList,
  HighRiskQuery,
  Job,
  JobRequest,
  MAX_BATCH_MEMBERS,
  MemberScore,
  ScoreRequest,
} from '../../../data-contracts/v1/api/scoring.ts';
import { Id } from '../../../data-contracts/v1/common.ts';
import type { Policy } from '../../config/policy.ts';
import type { MemberRecord } from '../../features/member-record.ts';
import { createJob, getJob, type JobRow, type JobRunner } from '../../scoring/jobs.ts';
import type { ModelSet } from '../../scoring/model-set.ts';
import { ModelUnavailableError } from '../../scoring/score-member.ts';
import { SharedScoreStore } from '../../scoring/shared-store.ts';
import { institutionOf, scoredRow, scoreMemberIds, type RecordScorer, type StoredRow } from '../../scoring/service.ts';
import { csvField } from '../../ingest/csv.ts';
import { AUDIT_LOG_INSERT } from '../../store/audit-log.ts';
import type { Principal } from '../auth.ts';
import { scopeForPrincipal } from '../auth.ts';
import { NotFoundError, ServiceUnavailableError } from '../errors.ts';
import { defineOperation } from '../operations.ts';
import { JsonText, Reply, type RouteModule } from '../routes.ts';
import { ITEM_START, itemsInRankOrder } from './list-items.ts';

export interface ScoringDeps {
  models: () => ModelSet;
  policy: Policy;
  /** Scores stored records (on worker threads in the service). */
  scorer: RecordScorer;
  jobs: JobRunner;
  /** Today's date (YYYY-MM-DD), the default as-of; injectable for tests. */
  today: () => string;
  /** False while the store is being seeded on first start. */
  dataReady?: () => boolean;
}

const SCORING_ROLES = ['clinic', 'analyst', 'admin'] as const;

export const scoreOperation = defineOperation({
  operationId: 'scoreMember',
  method: 'post',
  path: '/v1/score',
  summary: 'Score one member: probabilities with their top factors, risk class and why, package and rate, intervention list',
  tags: ['scoring'],
  roles: SCORING_ROLES,
  bodyLimit: '5mb',
  request: { body: ScoreRequest },
  responses: {
    200: { description: 'the score (also stored with its model versions and input fingerprint)', schema: MemberScore },
    404: { description: 'no such member (or not attributed to the calling clinic)' },
    503: { description: 'no loadable model' },
  },
});

export const batchOperation = defineOperation({
  operationId: 'scoreBatch',
  method: 'post',
  path: '/v1/score/batch',
  summary: `Score up to ${MAX_BATCH_MEMBERS.toLocaleString('en-US')} members; per-member problems are reported beside the results`,
  tags: ['scoring'],
  roles: SCORING_ROLES,
  bodyLimit: '2mb',
  request: { body: BatchScoreRequest },
  responses: { 200: { description: 'results and problems', schema: BatchScoreResponse }, 503: { description: 'no loadable model' } },
});

export const createJobOperation = defineOperation({
  operationId: 'createScoringJob',
  method: 'post',
  path: '/v1/jobs',
  summary: 'Score the whole population (or one institution) in the background; resumable after a crash',
  tags: ['jobs'],
  roles: ['clinic', 'analyst', 'admin'],
  request: { body: JobRequest },
  responses: { 202: { description: 'accepted', schema: Job } },
});

const JobParams = z.object({ jobId: z.string().regex(/^job-[0-9a-f-]{36}$/, 'a job id looks like job-<uuid>') });

export const getJobOperation = defineOperation({
  operationId: 'getScoringJob',
  method: 'get',
  path: '/v1/jobs/:jobId',
  summary: 'Progress of a scoring job',
  tags: ['jobs'],
  roles: ['clinic', 'analyst', 'admin'],
  request: { params: JobParams },
  responses: { 200: { description: 'the job', schema: Job }, 404: { description: 'no such job' } },
});

export const jobResultsOperation = defineOperation({
  operationId: 'getScoringJobResults',
  method: 'get',
  path: '/v1/jobs/:jobId/results',
  summary: 'A job’s results streamed as NDJSON (default) or CSV (Accept: text/csv)',
  tags: ['jobs'],
  roles: ['clinic', 'analyst', 'admin'],
  request: { params: JobParams },
  responses: { 200: { description: 'one line per member', schema: z.string(), contentType: 'application/x-ndjson' }, 404: { description: 'no such job' } },
});

export const highRiskOperation = defineOperation({
  operationId: 'listHighRiskPatients',
  method: 'get',
  path: '/v1/institutions/:institutionId/high-risk-patients',
  summary: "A clinic's ranked patient list with reasons, open care gaps and the next due intervention (Accept: text/csv for a spreadsheet)",
  tags: ['clinics'],
  roles: ['clinic', 'analyst', 'admin'],
  request: { params: z.object({ institutionId: Id }), query: HighRiskQuery },
  responses: { 200: { description: 'the list', schema: HighRiskList }, 404: { description: 'no such institution for the caller' } },
});

export const SCORING_OPERATIONS = [scoreOperation, batchOperation, createJobOperation, getJobOperation, jobResultsOperation, highRiskOperation] as const;

/**
 * Clinics only see members attributed to them on the date asked about (a current sign-up): the
 * member's institution on that date, as institutionOf gives it.
 */
function visibleTo(principal: Principal, institutionOnDate: string | null): boolean {
  const scope = scopeForPrincipal(principal);
  return scope.all || institutionOnDate === scope.institutionId;
}

function ensureModels(models: ModelSet, dataReady: (() => boolean) | undefined): void {
  if (dataReady && !dataReady()) throw new ServiceUnavailableError('the store is being seeded with the default population', 'starting up: data is still loading', 30);
  if (models.unavailable.size) throw new ServiceUnavailableError(`no loadable model: ${[...models.unavailable.keys()].join(', ')}`, 'no loadable model; train or register one (stratum models list)');
}

const jobBody = (j: JobRow): z.infer<typeof Job> => ({
  jobId: j.job_id,
  status: j.status,
  asOf: j.as_of,
  institutionId: j.institution_id,
  total: j.total,
  done: j.done,
  failed: j.failed,
  progress: j.total === 0 ? (j.status === 'done' ? 1 : 0) : Math.min(1, (j.done + j.failed) / j.total),
  error: j.error,
  modelVersions: j.model_versions,
  resultsUrl: `/v1/jobs/${j.job_id}/results`,
});

/** A CSV cell; a list becomes one cell of items separated by "; ". */
const csvCell = (v: string | number | readonly string[] | null | undefined): string => csvField(Array.isArray(v) ? v.join('; ') : (v as string | number | null | undefined));

interface Cursor {
  k1: number;
  k2: number;
  id: string;
  /** Rows already listed, so ranks continue across pages. */
  n: number;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null;
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.k1 === 'number' && typeof c.k2 === 'number' && typeof c.id === 'string' && Number.isInteger(c.n)) return c;
  } catch {
    /* fall through */
  }
  throw new NotFoundError('cursor is not one this list issued');
}

/** A list row's risk as a JSON number: null where the model does not apply, or where it is not finite (JSON has no NaN). */
const RISK_JSON = `CASE WHEN risk IS NULL OR risk IN ('NaN', 'Infinity', '-Infinity') THEN 'null' ELSE risk::text END`;

export function scoringRoutes(deps: ScoringDeps): RouteModule {
  return {
    name: 'scoring',
    register(routes, { db, metrics }) {
      const scored = { inc: (labels: { class: string }) => metrics.scoresByTier.inc({ tier: labels.class }) };

      // Concurrent single-member requests share their record reads and their score + audit writes.
      const shared = new SharedScoreStore(db);

      routes.add(scoreOperation, async ({ body, principal }) => {
        const models = deps.models();
        ensureModels(models, deps.dataReady);
        const asOf = body.as_of ?? deps.today();
        const inline = body.record !== undefined;
        let row: StoredRow;
        try {
          if (body.member_id !== undefined) {
            const stored = await shared.read(body.member_id);
            if (!stored) throw new NotFoundError('no member with this id');
            const [outcome] = await deps.scorer.score(stored.layout, [stored.record], asOf, models);
            if (!outcome!.ok) throw new Error(`scoring failed: ${outcome!.message}`);
            row = outcome!.row;
            // row.institutionId is the member's institution on the date (institutionOf).
            if (!visibleTo(principal, row.institutionId)) throw new NotFoundError('no member with this id');
          } else {
            const record = body.record as MemberRecord;
            if (!visibleTo(principal, institutionOf(record, asOf))) throw new NotFoundError('the record is not signed up with your institution');
            // A record sent inline is already parsed: scored here, without a copy to a thread.
            row = scoredRow(record, asOf, models, deps.policy);
          }
        } catch (err) {
          if (err instanceof ModelUnavailableError) throw new ServiceUnavailableError(err.message, 'no loadable model');
          throw err;
        }
        // The score and this request's audit row are committed together (with other requests'
        // when they finish meanwhile) before the answer goes out. Records sent inline are the
        // caller's: kept in the history, never made a member's listed score.
        await shared.store(row, !inline, {
          actor: principal.id,
          role: principal.role,
          action: 'score.read',
          resource: 'members/score',
          memberIds: [row.memberId],
          detail: { asOf, inline },
        });
        scored.inc({ class: row.riskClass });
        // The score's JSON text as stored (what JSON.stringify gives for it).
        return new JsonText(row.result);
      });

      routes.add(batchOperation, async ({ body, principal, audit }) => {
        const models = deps.models();
        ensureModels(models, deps.dataReady);
        const asOf = body.as_of ?? deps.today();
        const scope = scopeForPrincipal(principal);
        let ids = [...new Set(body.member_ids)];
        const hidden: string[] = [];
        if (!scope.all) {
          // Attributed on the as-of date: signed up before it and not ended before it (as institutionOf).
          const allowed = await db.query<{ member_id: string }>(
            `SELECT DISTINCT member_id FROM signup WHERE institution_id = $1 AND member_id = ANY($2::text[]) AND from_date < $3::date AND (to_date IS NULL OR to_date >= $3::date)`,
            [scope.institutionId, ids, asOf],
          );
          const ok = new Set(allowed.rows.map((r) => r.member_id));
          hidden.push(...ids.filter((id) => !ok.has(id)));
          ids = ids.filter((id) => ok.has(id));
        }
        const batch = await scoreMemberIds(db, deps.scorer, ids, asOf, models);
        for (const r of batch.rows) scored.inc({ class: r.riskClass });
        for (const id of hidden) batch.problems.push({ memberId: id, code: 'MEMBER_NOT_FOUND', message: 'no member with this id' });
        await audit({ action: 'score.batch', resource: 'members/score', memberIds: batch.rows.map((r) => r.memberId), detail: { asOf, requested: body.member_ids.length, problems: batch.problems.length } });
        // The results as stored, not serialised again: the text JSON.stringify gives for the answer.
        return new JsonText(`{"results":[${batch.rows.map((r) => r.result).join(',')}],"problems":${JSON.stringify(batch.problems)}}`);
      });

      routes.add(createJobOperation, async ({ body, principal, audit }) => {
        ensureModels(deps.models(), deps.dataReady);
        const scope = scopeForPrincipal(principal);
        // A clinic's job covers its own institution only.
        const institutionId = scope.all ? (body.institution_id ?? null) : scope.institutionId;
        if (!scope.all && body.institution_id && body.institution_id !== scope.institutionId) throw new NotFoundError('no such institution');
        const job = await createJob(db, { asOf: body.as_of ?? deps.today(), institutionId, createdBy: principal.id });
        await audit({ action: 'job.create', resource: `jobs/${job.job_id}`, detail: { institutionId, asOf: job.as_of } });
        deps.jobs.kick();
        return new Reply(202, jobBody(job));
      });

      const visibleJob = async (jobId: string, principal: Principal): Promise<JobRow> => {
        const job = await getJob(db, jobId);
        const scope = scopeForPrincipal(principal);
        if (!job || (!scope.all && job.institution_id !== scope.institutionId)) throw new NotFoundError('no such job');
        return job;
      };

      routes.add(getJobOperation, async ({ params, principal }) => jobBody(await visibleJob(params.jobId, principal)));

      routes.add(jobResultsOperation, async ({ params, principal, req, res, audit }) => {
        const job = await visibleJob(params.jobId, principal);
        const csv = (req.headers.accept ?? '').includes('text/csv');
        res.status(200).setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
        if (csv) res.write('member_id,as_of,risk_class,class_row,readmission_p,onset_hypertension_p,onset_diabetes_p,onset_chd_p,input_fingerprint\n');
        let after = 0;
        let members = 0;
        for (;;) {
          const page = await db.query<{ score_id: number; member_id: string; result: string }>(
            `SELECT score_id, member_id, result::text AS result FROM score_result WHERE job_id = $1 AND score_id > $2 ORDER BY score_id LIMIT 1000`,
            [job.job_id, after],
          );
          for (const row of page.rows) {
            if (csv) {
              const s = JSON.parse(row.result) as z.infer<typeof MemberScore>;
              const p = (m: string) => s.predictions.find((x) => x.model === m)?.probability ?? '';
              res.write([s.memberId, s.asOf, s.riskClass.class, s.riskClass.row, p('readmission'), p('onset-hypertension'), p('onset-diabetes'), p('onset-chd'), s.inputFingerprint].map(csvCell).join(',') + '\n');
            } else res.write(row.result + '\n');
            after = Number(row.score_id);
          }
          members += page.rows.length;
          if (page.rows.length < 1000) break;
        }
        await audit({ action: 'job.results', resource: `jobs/${job.job_id}`, detail: { members } });
        res.end();
      });

      routes.add(highRiskOperation, async ({ params, query, principal, req, res }) => {
        const scope = scopeForPrincipal(principal);
        if (!scope.all && scope.institutionId !== params.institutionId) throw new NotFoundError('no such institution');
        const riskColumn = query.model ? `${query.model.replace(/-/g, '_')}_p` : 'max_risk';
        const column = query.model ? `coalesce(${riskColumn}, -1)` : 'max_risk';
        // Default order: most severe class first, then highest risk; with ?model=, that model's risk.
        // (A constant first key, not a bare `0`: ORDER BY reads a bare integer as a column position.)
        const k1 = query.model ? '0::float8' : 'class_rank';
        const cursor = decodeCursor(query.cursor);
        const before = cursor?.n ?? 0;
        const order = `${k1} DESC, ${column} DESC, member_id DESC`;
        const listed = `institution_id = $1 AND ($2::text IS NULL OR risk_class = $2)
                        AND ($3::float8 IS NULL OR (${k1}::float8, ${column}, member_id) < ($3::float8, $4::float8, $5::text))`;
        // The page comes back as one text value: its items' JSON, comma-separated, each the
        // stored list_item (written when the score was stored) behind the item's rank and the risk
        // the list is ranked by. Assembling 5,000 items per call, in PostgreSQL or in Node, took
        // most of a big list's time. One row more than asked for tells whether a next page exists;
        // the sort keys of the page's last row (n = limit) make the next page's cursor.
        // The audit row (every listed member) is inserted by the same statement, so it is
        // committed before the answer exists, without a second round trip or the ids travelling
        // back as a 5,000-element array parameter. It reads the page's ids on its own (the
        // statement's one snapshot gives the same rows): taking them from the page instead made
        // PostgreSQL hold the whole 3 MB page aside, ~6 ms.
        // The default order is the list index's, so the index hands the rows over sorted; the
        // planner would rather sort a clinic that holds much of the table, or a big page, itself,
        // which for 5,000 rows of items took ~8 ms of the list's ~40. Sorting is switched off for
        // this statement alone (a list ranked by one model, having no index, is still sorted).
        const result = await db.transaction(async (tx) => {
          await tx.exec('SET LOCAL enable_sort = off');
          return tx.query<{ items: string | null; fetched: number; last_k1: number | null; last_k2: number | null; last_id: string | null; audited: number }>(
            `WITH audited AS (
               ${AUDIT_LOG_INSERT}
               VALUES ($8, $9, 'list.high-risk', $10, ARRAY(SELECT member_id FROM member_latest_score WHERE ${listed} ORDER BY ${order} LIMIT $7), '{}'::jsonb)
               RETURNING 1)
             SELECT string_agg(concat('${ITEM_START}', $11::bigint + n, ',"risk":', ${RISK_JSON}, ',', list_item, '}'), ',') FILTER (WHERE n <= $7) AS items,
                    max(k1) FILTER (WHERE n = $7) AS last_k1,
                    max(k2) FILTER (WHERE n = $7) AS last_k2,
                    max(member_id) FILTER (WHERE n = $7) AS last_id,
                    count(*)::int AS fetched,
                    (SELECT count(*)::int FROM audited) AS audited
               FROM (SELECT member_id, ${riskColumn} AS risk, list_item, ${k1}::float8 AS k1, ${column} AS k2, row_number() OVER (ORDER BY ${order}) AS n
                       FROM member_latest_score
                      WHERE ${listed}
                      ORDER BY ${order}
                      LIMIT $6) AS ranked`,
            [
              params.institutionId,
              query.class ?? null,
              cursor?.k1 ?? null,
              cursor?.k2 ?? null,
              cursor?.id ?? null,
              query.limit + 1,
              query.limit,
              principal.id,
              principal.role,
              `institutions/${params.institutionId}/high-risk-patients`,
              before,
            ],
          );
        });
        const { items, fetched, last_k1, last_k2, last_id, audited } = result.rows[0]!;
        if (audited !== 1) throw new Error('the clinic list was read without its audit row');
        const count = Math.min(Number(fetched), query.limit);
        const nextCursor = Number(fetched) > query.limit && last_id !== null ? encodeCursor({ k1: Number(last_k1), k2: Number(last_k2), id: last_id, n: before + count }) : null;
        const pageItems = itemsInRankOrder(items ?? '', before + 1, count);
        if ((req.headers.accept ?? '').includes('text/csv')) {
          const items = JSON.parse(`[${pageItems}]`) as z.infer<typeof HighRiskList>['items'];
          res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
          res.setHeader('Content-Disposition', `attachment; filename="high-risk-${params.institutionId}.csv"`);
          if (nextCursor) res.setHeader('X-Next-Cursor', nextCursor);
          const header = 'rank,member_id,risk_class,risk,reasons,care_gaps,next_due,next_due_date,next_due_status,top_factors\n';
          res.end(
            header +
              items
                .map((i) => [i.rank, i.memberId, i.riskClass, i.risk === null ? '' : i.risk.toFixed(3), i.reasons, i.careGaps, i.nextDue?.label, i.nextDue?.dueDate, i.nextDue?.status, i.topFactors].map(csvCell).join(','))
                .join('\n') +
              (items.length ? '\n' : ''),
          );
          return;
        }
        // The HighRiskList shape around the items as aggregated. Written in three pieces: joining
        // them first copied the 3 MB of items once more and made the write ~3 ms slower.
        res.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
        res.write(`{"institutionId":${JSON.stringify(params.institutionId)},"items":[`);
        res.write(pageItems);
        res.end(`],"nextCursor":${JSON.stringify(nextCursor)}}`);
      });
    },
  };
}
