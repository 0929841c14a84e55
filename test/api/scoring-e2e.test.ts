/**
 * The scoring service end to end on both engines: a small generated population loaded into the
 * store, logistic models trained for every task, the real app on an ephemeral port, and the
 * typed client built from the same declarations as /openapi.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HighRiskList, MemberScore } from '../../data-contracts/v1/api/scoring.ts';
import { createClient, ApiClientError } from '../../src/api/client.ts';
import { SCORING_OPERATIONS } from '../../src/api/routes/scoring.ts';
import { SYSTEM_OPERATIONS } from '../../src/api/system-routes.ts';
import { loadEnv } from '../../src/config/env.ts';
import { TASKS } from '../../src/features/tasks.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { rollbackAlias, setAlias } from '../../src/models/registry.ts';
import { createJob, getJob, runJob } from '../../src/scoring/jobs.ts';
import { eventLoopScorer } from '../../src/scoring/service.ts';
import { fetchMemberRecords } from '../../src/store/members.ts';
import { serve, type RunningService } from '../../src/service/server.ts';
import { trainTask } from '../../training/train-task.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const OPS = [...SYSTEM_OPERATIONS, ...SCORING_OPERATIONS] as const;
const population = mkdtempSync(path.join(tmpdir(), 'stratum-e2e-pop-'));
execFileSync(process.execPath, ['src/cli/bin.mjs', 'generate', '--members', '2000', '--seed', '21', '--out', population], { stdio: 'ignore' });
const modelsDir = mkdtempSync(path.join(tmpdir(), 'stratum-e2e-models-'));
const logLines: string[] = [];
const logger = createLogger('info', new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }));

describeEachEngine('scoring service', (getDb, ctx) => {
  let service: RunningService;
  let institutionA: string;
  let memberOfA: string;
  let memberOfB: string;
  const client = (key?: string) => createClient({ baseUrl: service.url, operations: OPS, bearer: key });
  const key = (role: string, institution?: string) => service.keys!.find((k) => k.role === role && (institution === undefined || k.institutionId === institution))!.key;

  beforeAll(async () => {
    const db = getDb();
    await loadPopulation(db, { from: population });
    const dir = path.join(modelsDir, ctx.engine);
    for (const task of TASKS) await trainTask({ db, task, learners: ['logreg'], seed: 1, modelsDir: dir, folds: 3 });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stratum-e2e-var-'));
    service = await serve(db, { port: 0, seed: false, modelsDir: dir, env: { ...loadEnv(), STRATUM_DATA_DIR: dataDir, STRATUM_API_KEYS: undefined, STRATUM_JWT_SECRET: undefined }, logger, today: () => '2026-06-30', closeDb: false });
    await service.seeded;
    const signups = await db.query<{ member_id: string; institution_id: string }>(`SELECT member_id, institution_id FROM signup ORDER BY member_id`);
    institutionA = signups.rows[0]!.institution_id;
    memberOfA = signups.rows[0]!.member_id;
    const aMembers = new Set(signups.rows.filter((r) => r.institution_id === institutionA).map((r) => r.member_id));
    memberOfB = signups.rows.find((r) => r.institution_id !== institutionA && !aMembers.has(r.member_id))!.member_id;
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('scores a member: probabilities with versions, class and why, package and rate, interventions', async () => {
    const s = await client(key('analyst')).call('scoreMember', { body: { member_id: memberOfA } });
    expect(s.memberId).toBe(memberOfA);
    expect(s.asOf).toBe('2026-06-30');
    expect(s.predictions.map((p) => p.model)).toEqual(['readmission', 'onset-hypertension', 'onset-diabetes', 'onset-chd']);
    for (const p of s.predictions) expect(p.version).toBe(1);
    expect(s.riskClass.reasons.length).toBeGreaterThan(0);
    expect(s.package.annualRate).toBe({ healthy: 20, 'high-risk': 120, mild: 300, moderate: 500, severe: 800 }[s.riskClass.class]);
    expect(s.inputFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(s.policyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Stored with its model versions and fingerprint, and audited.
    const stored = await getDb().query<{ input_fingerprint: string; model_versions: Record<string, number>; policy: string }>(
      `SELECT input_fingerprint, model_versions, result->>'policyFingerprint' AS policy FROM score_result WHERE member_id = $1 ORDER BY score_id DESC LIMIT 1`,
      [memberOfA],
    );
    expect(stored.rows[0]).toMatchObject({ input_fingerprint: s.inputFingerprint, model_versions: s.modelVersions, policy: s.policyFingerprint });
    const audit = await getDb().query<{ action: string }>(`SELECT action FROM audit_log WHERE $1 = ANY(member_ids)`, [memberOfA]);
    expect(audit.rows.map((r) => r.action)).toContain('score.read');
  });

  it('the same inputs give the same answer (reproducible)', async () => {
    const c = client(key('analyst'));
    const a = await c.call('scoreMember', { body: { member_id: memberOfA, as_of: '2026-01-01' } });
    const b = await c.call('scoreMember', { body: { member_id: memberOfA, as_of: '2026-01-01' } });
    expect(b).toEqual(a);
  });

  it('a clinic cannot read another institution’s member by any route', async () => {
    const clinic = client(key('clinic', institutionA));
    await expect(clinic.call('scoreMember', { body: { member_id: memberOfB } })).rejects.toMatchObject({ status: 404 });
    const batch = await clinic.call('scoreBatch', { body: { member_ids: [memberOfA, memberOfB] } });
    expect(batch.results.map((r) => r.memberId)).toEqual([memberOfA]);
    expect(batch.problems).toEqual([{ memberId: memberOfB, code: 'MEMBER_NOT_FOUND', message: 'no member with this id' }]);
    const otherInstitution = (await getDb().query<{ institution_id: string }>(`SELECT institution_id FROM institution WHERE institution_id <> $1 LIMIT 1`, [institutionA])).rows[0]!.institution_id;
    await expect(clinic.call('listHighRiskPatients', { params: { institutionId: otherInstitution }, query: {} })).rejects.toMatchObject({ status: 404 });
  });

  it('an inline record is scored but never replaces a member’s listed score or moves them between clinics', async () => {
    await client(key('analyst')).call('scoreMember', { body: { member_id: memberOfB } });
    const before = await getDb().query<{ institution_id: string; score_id: number }>(`SELECT institution_id, score_id FROM member_latest_score WHERE member_id = $1`, [memberOfB]);
    const record = (await fetchMemberRecords(getDb(), [memberOfB])).get(memberOfB)!;
    const forged = { ...record, signups: [{ ...record.signups[0]!, institution_id: institutionA, practitioner_id: 'P-X' }] };
    const s = await client(key('clinic', institutionA)).call('scoreMember', { body: { record: forged as never } });
    expect(s.memberId).toBe(memberOfB);
    const after = await getDb().query<{ institution_id: string; score_id: number }>(`SELECT institution_id, score_id FROM member_latest_score WHERE member_id = $1`, [memberOfB]);
    expect(after.rows).toEqual(before.rows);
  });

  it('batch: unknown members are reported beside the results, not fatal', async () => {
    const r = await client(key('analyst')).call('scoreBatch', { body: { member_ids: [memberOfA, 'NOPE-1'] } });
    expect(r.results).toHaveLength(1);
    expect(r.problems).toEqual([{ memberId: 'NOPE-1', code: 'MEMBER_NOT_FOUND', message: 'no member with this id' }]);
  });

  it('validation errors name the field and rule; unknown member is 404', async () => {
    const c = client(key('analyst'));
    const bad = await c.send('scoreMember', { body: { member_id: 'x y' } as never });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ location: 'body', path: 'member_id' })] } });
    await expect(c.call('scoreMember', { body: { member_id: 'NOPE-1' } })).rejects.toBeInstanceOf(ApiClientError);
    expect((await c.send('scoreMember', { body: { member_id: 'NOPE-1' } })).status).toBe(404);
  });

  it('a whole-population job runs, reports progress, streams NDJSON and CSV; the clinic list ranks with reasons', async () => {
    const c = client(key('analyst'));
    const job = await c.call('createScoringJob', { body: { as_of: '2026-06-30', institution_id: institutionA } });
    expect(job.status).toBe('queued');
    await runJob(getDb(), job.jobId, service.models, eventLoopScorer((await import('../../src/config/policy.ts')).defaultPolicy()));
    const done = await c.call('getScoringJob', { params: { jobId: job.jobId } });
    expect(done).toMatchObject({ status: 'done', progress: 1 });
    const ndjson = await fetch(`${service.url}/v1/jobs/${job.jobId}/results`, { headers: { authorization: `Bearer ${key('analyst')}` } });
    const lines = (await ndjson.text()).trim().split('\n');
    expect(lines).toHaveLength(done.done);
    const csv = await fetch(`${service.url}/v1/jobs/${job.jobId}/results`, { headers: { authorization: `Bearer ${key('analyst')}`, accept: 'text/csv' } });
    expect((await csv.text()).split('\n')[0]).toBe('member_id,as_of,risk_class,class_row,readmission_p,onset_hypertension_p,onset_diabetes_p,onset_chd_p,input_fingerprint');

    const clinic = client(key('clinic', institutionA));
    const list = await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { limit: 5 } });
    expect(list.items.length).toBeGreaterThan(0);
    const ranks = { severe: 5, moderate: 4, mild: 3, 'high-risk': 2, healthy: 1 } as const;
    for (let i = 1; i < list.items.length; i++) expect(ranks[list.items[i - 1]!.riskClass]).toBeGreaterThanOrEqual(ranks[list.items[i]!.riskClass]);
    expect(list.items[0]!.reasons.length).toBeGreaterThan(0);
    if (list.nextCursor) {
      const page2 = await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { limit: 5, cursor: list.nextCursor } });
      expect(page2.items[0]!.rank).toBe(6);
      expect(page2.items.map((i) => i.memberId)).not.toContain(list.items[0]!.memberId);
    }
    const sheet = await fetch(`${service.url}/v1/institutions/${institutionA}/high-risk-patients?limit=3`, { headers: { authorization: `Bearer ${key('clinic', institutionA)}`, accept: 'text/csv' } });
    expect(sheet.headers.get('content-type')).toContain('text/csv');
    expect((await sheet.text()).split('\n')[0]).toMatch(/^rank,member_id,risk_class,risk,reasons,care_gaps,next_due/);
  });

  it('the clinic list: contract-shaped items as each member’s stored list item, pages that continue, ranking by one model', async () => {
    const clinic = client(key('clinic', institutionA));
    const all = HighRiskList.parse(await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { limit: 5000 } }));
    expect(all.items.length).toBeGreaterThan(5);
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((i) => i.rank)).toEqual(all.items.map((_, i) => i + 1));
    const stored = await getDb().query<{ member_id: string; risk_class: string; as_of: string; list_item: string; max_risk: number }>(
      `SELECT member_id, risk_class, to_char(as_of, 'YYYY-MM-DD') AS as_of, list_item, max_risk FROM member_latest_score WHERE institution_id = $1`,
      [institutionA],
    );
    const byMember = new Map(stored.rows.map((r) => [r.member_id, r]));
    expect(all.items.length).toBe(stored.rows.length);
    for (const { rank: _rank, risk, ...item } of all.items) {
      const row = byMember.get(item.memberId)!;
      // The stored item is the list item less its rank and risk, and names its own row.
      expect(item).toEqual(JSON.parse(`{${row.list_item}}`));
      expect([item.riskClass, item.asOf]).toEqual([row.risk_class, row.as_of]);
      expect(risk).toBe(Number(row.max_risk));
    }
    expect(all.items.some((i) => i.reasons.length > 0 && i.topFactors.length > 0)).toBe(true);
    // Pages of 4 continue where the last one stopped, with the same ranks.
    const paged: typeof all.items = [];
    let cursor: string | undefined;
    do {
      const page = HighRiskList.parse(await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { limit: 4, ...(cursor ? { cursor } : {}) } }));
      paged.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.items);
    // Ranked by one model's risk, highest first; members it does not apply to come last. Its
    // pages (of one, so every member ends a page) continue too, across members without that risk.
    const modelPaged: typeof all.items = [];
    do {
      const page = HighRiskList.parse(await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { model: 'onset-diabetes', limit: 1, ...(cursor ? { cursor } : {}) } }));
      modelPaged.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const byModel = HighRiskList.parse(await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { model: 'onset-diabetes', limit: 5000 } }));
    expect(byModel.items).toHaveLength(all.items.length);
    expect(modelPaged).toEqual(byModel.items);
    const risks = byModel.items.map((i) => i.risk ?? -1);
    expect(risks).toEqual([...risks].sort((a, b) => b - a));
    expect(risks).toContain(-1);
    // Every member listed was audited as read.
    const audited = await getDb().query<{ member_ids: string[] }>(`SELECT member_ids FROM audit_log WHERE action = 'list.high-risk' ORDER BY id DESC LIMIT 1`);
    expect([...audited.rows[0]!.member_ids].sort()).toEqual(byModel.items.map((i) => i.memberId).sort());
    // A risk that is not a finite number (no model gives one, but a damaged row could) is listed as
    // null: the list stays valid JSON.
    const victim = byModel.items[0]!.memberId;
    const kept = await getDb().query<{ p: number }>(`SELECT onset_diabetes_p AS p FROM member_latest_score WHERE member_id = $1`, [victim]);
    await getDb().query(`UPDATE member_latest_score SET onset_diabetes_p = 'NaN' WHERE member_id = $1`, [victim]);
    try {
      const withNaN = HighRiskList.parse(await clinic.call('listHighRiskPatients', { params: { institutionId: institutionA }, query: { model: 'onset-diabetes', limit: 5000 } }));
      expect(withNaN.items.find((i) => i.memberId === victim)!.risk).toBeNull();
    } finally {
      await getDb().query(`UPDATE member_latest_score SET onset_diabetes_p = $2 WHERE member_id = $1`, [victim, kept.rows[0]!.p]);
    }
  });

  it('a big batch (stored by COPY) keeps the order asked and stores what a single score stores', async () => {
    const c = client(key('analyst'));
    const ids = (await getDb().query<{ member_id: string }>(`SELECT member_id FROM member ORDER BY member_id DESC LIMIT 40`)).rows.map((r) => r.member_id);
    const asked = [...ids, ids[0]!, 'NOPE-2'];
    const batch = await c.call('scoreBatch', { body: { member_ids: asked, as_of: '2026-12-31' } });
    expect(batch.results.map((r) => r.memberId)).toEqual(ids);
    expect(batch.problems).toEqual([{ memberId: 'NOPE-2', code: 'MEMBER_NOT_FOUND', message: 'no member with this id' }]);
    const single = MemberScore.parse(await c.call('scoreMember', { body: { member_id: ids[3]!, as_of: '2026-12-31' } }));
    expect(batch.results[3]).toEqual(single);
    const rows = await getDb().query<{ result: string; input_fingerprint: string }>(
      `SELECT r.result::text AS result, r.input_fingerprint FROM score_result r JOIN member_latest_score l USING (member_id)
        WHERE r.member_id = $1 AND r.as_of = '2026-12-31' ORDER BY r.score_id`,
      [ids[3]],
    );
    expect(rows.rows).toHaveLength(2);
    expect(JSON.parse(rows.rows[0]!.result)).toEqual(JSON.parse(rows.rows[1]!.result));
    expect(rows.rows[0]!.input_fingerprint).toBe(single.inputFingerprint);
    // The later of two scores for the same date is the listed one (no earlier date was scored after it).
    const latest = await getDb().query<{ score_id: number }>(`SELECT score_id FROM member_latest_score WHERE member_id = $1`, [ids[3]]);
    const newest = await getDb().query<{ score_id: number }>(`SELECT max(score_id) AS score_id FROM score_result WHERE member_id = $1`, [ids[3]]);
    expect(Number(latest.rows[0]!.score_id)).toBe(Number(newest.rows[0]!.score_id));
  });

  it('a batch whose store fails part-way stores nothing of it and answers 500 without member data', async () => {
    const db = getDb();
    const c = client(key('analyst'));
    // 600 members: three read-ahead chunks, stored as they are scored on PostgreSQL (in the
    // batch's one transaction), so the failure comes after a chunk has already been written.
    const ids = (await db.query<{ member_id: string }>(`SELECT member_id FROM member ORDER BY member_id LIMIT 600`)).rows.map((r) => r.member_id);
    const poisoned = ids[450]!;
    await db.exec(`CREATE FUNCTION refuse_one_score() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN IF NEW.member_id = '${poisoned}' THEN RAISE EXCEPTION 'store refused'; END IF; RETURN NEW; END $$`);
    await db.exec(`CREATE TRIGGER refuse_one_score BEFORE INSERT ON score_result FOR EACH ROW EXECUTE FUNCTION refuse_one_score()`);
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'score.batch'`);
    try {
      const answer = await c.send('scoreBatch', { body: { member_ids: ids, as_of: '2026-11-30' } });
      expect(answer.status).toBe(500);
      const text = JSON.stringify(answer.body);
      for (const id of [ids[0]!, poisoned]) expect(text).not.toContain(id);
    } finally {
      await db.exec(`DROP TRIGGER refuse_one_score ON score_result; DROP FUNCTION refuse_one_score()`);
    }
    const stored = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM score_result WHERE as_of = '2026-11-30'`);
    expect(stored.rows[0]!.n).toBe(0);
    const listed = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM member_latest_score WHERE as_of = '2026-11-30'`);
    expect(listed.rows[0]!.n).toBe(0);
    // Nothing was answered, so nothing is audited as read.
    const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'score.batch'`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // The same batch goes through once the store accepts it.
    const retried = await c.call('scoreBatch', { body: { member_ids: ids, as_of: '2026-11-30' } });
    expect(retried.results).toHaveLength(600);
  }, 120_000);

  it('serves a promoted champion without a restart, and the previous one after a rollback', async () => {
    const db = getDb();
    const c = client(key('analyst'));
    const versionServed = async () => (await c.call('scoreMember', { body: { member_id: memberOfA } })).predictions.find((p) => p.model === 'readmission')!.version;
    expect(await service.reloadModels()).toBe(false);
    const trained = await trainTask({ db, task: 'readmission', learners: ['logreg'], seed: 2, modelsDir: path.join(modelsDir, ctx.engine), folds: 3 });
    expect(trained.alias).toBe('challenger');
    // Registered but not promoted: still version 1.
    expect(await service.reloadModels()).toBe(false);
    expect(await versionServed()).toBe(1);
    await setAlias(db, 'readmission', 'champion', trained.manifest.version, 'test:promote');
    expect(await service.reloadModels()).toBe(true);
    expect(await versionServed()).toBe(trained.manifest.version);
    expect(logLines.join('')).toContain('champions changed in the registry');
    await rollbackAlias(db, 'readmission', 'champion', 'test:rollback');
    expect(await service.reloadModels()).toBe(true);
    expect(await versionServed()).toBe(1);
  }, 120_000);

  it('a job scores with the models it started with, also when it resumes after a promotion', async () => {
    const db = getDb();
    const scorer = eventLoopScorer((await import('../../src/config/policy.ts')).defaultPolicy());
    const c = client(key('analyst'));
    // Created here rather than through the API, so the service's own runner does not run it meanwhile.
    const job = await createJob(db, { asOf: '2026-06-30', institutionId: institutionA, createdBy: 'test' });
    expect((await c.call('getScoringJob', { params: { jobId: job.job_id } })).modelVersions).toBeNull();
    let pages = 0;
    await runJob(db, job.job_id, service.models, scorer, { pageSize: 3, onPage: () => pages++, shouldStop: () => pages >= 1 });
    const atStart = service.models.versions();
    const stopped = await c.call('getScoringJob', { params: { jobId: job.job_id } });
    expect(stopped).toMatchObject({ status: 'running', done: 3, modelVersions: atStart });

    const trained = await trainTask({ db, task: 'readmission', learners: ['logreg'], seed: 3, modelsDir: path.join(modelsDir, ctx.engine), folds: 3 });
    await setAlias(db, 'readmission', 'champion', trained.manifest.version, 'test:promote');
    expect(await service.reloadModels()).toBe(true);
    expect(service.models.versions().readmission).toBe(trained.manifest.version);

    const resumed = await runJob(db, job.job_id, service.models, scorer);
    expect(resumed.status).toBe('done');
    expect(resumed.done).toBeGreaterThan(3);
    const used = await db.query<{ versions: Record<string, number>; n: number }>(
      `SELECT model_versions AS versions, count(*)::int AS n FROM score_result WHERE job_id = $1 GROUP BY model_versions`,
      [job.job_id],
    );
    expect(used.rows).toEqual([{ versions: atStart, n: resumed.done }]);

    // A job started now scores with the new champion.
    const next = await createJob(db, { asOf: '2026-06-30', institutionId: institutionA, createdBy: 'test' });
    const nextDone = await runJob(db, next.job_id, service.models, scorer);
    expect(nextDone.model_versions).toEqual({ ...atStart, readmission: trained.manifest.version });

    // A job whose versions can no longer be loaded fails, saying which, rather than scoring with others.
    const orphan = await createJob(db, { asOf: '2026-06-30', institutionId: institutionA, createdBy: 'test' });
    await db.query(`UPDATE score_job SET model_versions = $2::jsonb WHERE job_id = $1`, [orphan.job_id, JSON.stringify({ ...atStart, readmission: 999 })]);
    await expect(runJob(db, orphan.job_id, service.models, scorer)).rejects.toThrow(/readmission v999 is no longer registered/);
    expect(await getJob(db, orphan.job_id)).toMatchObject({ status: 'failed', done: 0, error: expect.stringContaining('readmission v999') });

    await rollbackAlias(db, 'readmission', 'champion', 'test:rollback');
    expect(await service.reloadModels()).toBe(true);
  }, 120_000);

  it('application logs carry no member identifiers', () => {
    const joined = logLines.join('');
    expect(joined).not.toContain(memberOfA);
    expect(joined).not.toContain(memberOfB);
  });
});
