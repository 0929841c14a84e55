/**
 * The settlement engine's calls end to end on both engines: a tiny hand-made panel with known
 * diagnoses, a tiny hand-written bureau model on disk, the real app (createApp through the test
 * harness) with the settlement routes, and the typed client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, ApiClientError } from '../../src/api/client.ts';
import { SETTLEMENT_OPERATIONS, settlementRoutes, storedRiskAdjustmentHeader, storedRiskAdjustmentLines } from '../../src/api/routes/settlement.ts';
import { panelTotals, riskAdjustmentLine } from '../../src/capitation/risk-adjustment.ts';
import { defaultPolicy, type RiskClass } from '../../src/config/policy.ts';
import { RiskScorer } from '../../src/riskadjust/score.ts';
import type { Database } from '../../src/store/database.ts';
import { readRiskModelVersion } from '../../src/riskadjust/model-version.ts';
import { writeTinyModelVersions } from '../capitation/fixtures.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { KEYS, request, startApp, type RunningApp } from './harness.ts';

const policy = defaultPolicy();
const modelsDir = writeTinyModelVersions([1, 2]);
const AS_OF = '2026-01-01';
/** A hand-checked amount as a fen string (only for values whose binary error is far from a half fen). */
const fenOfText = (x: number) => x.toFixed(2);

interface MemberSpec {
  id: string;
  birth: string;
  sex: string;
  from?: string;
  to?: string | null;
  institution: string;
  cls?: RiskClass;
  dx?: [code: string, onset: string][];
  claims?: [month: string, amount: string][];
}

/**
 * INST-A's panel (period 2026, class as of 2026-01-01):
 * A1 F 64, E11.9 + I10 -> 0.9 + 0.3 + 0.2505 = 1.4505 -> 1.451; 12 months; mild.
 * A2 M 44, E11.9 + E11.2 -> hierarchy: 0.4 + 0.6 = 1.000; enrolled from 10 April: 9 months; severe.
 * A4 M 43, no diagnosis -> 0.400; enrolled from 1 December: 1 month; healthy.
 * A5 sex U -> reported (no age/sex cell). A7 has no stored score as of 1 January -> reported.
 * B1 belongs to INST-B. W1/W2 are INST-W, the worked example of DOMAIN.md.
 */
const MEMBERS: MemberSpec[] = [
  { id: 'A1', birth: '1960-06-15', sex: 'F', institution: 'INST-A', cls: 'mild', dx: [['E11.9', '2020-01-01'], ['I10', '2018-01-01'], ['E11.2', '2026-02-01']] },
  { id: 'A2', birth: '1980-03-01', sex: 'M', from: '2026-04-10', institution: 'INST-A', cls: 'severe', dx: [['E11.9', '2019-01-01'], ['E11.2', '2024-06-01']] },
  { id: 'A4', birth: '1981-07-01', sex: 'M', from: '2026-12-01', institution: 'INST-A', cls: 'healthy' },
  { id: 'A5', birth: '1970-01-01', sex: 'U', institution: 'INST-A', cls: 'healthy' },
  { id: 'A7', birth: '1970-01-01', sex: 'F', institution: 'INST-A' },
  { id: 'B1', birth: '1950-01-01', sex: 'F', institution: 'INST-B', cls: 'mild' },
  // Worked example: base 1,250,000 x 0.400 = 500,000.00 each; budget 1,000,000.00.
  { id: 'W1', birth: '1980-01-01', sex: 'M', institution: 'INST-W', cls: 'severe', claims: [['2026-03', '300000.00'], ['2026-11', '220000.00'], ['2025-12', '99999.99']] },
  { id: 'W2', birth: '1980-01-01', sex: 'M', institution: 'INST-W', cls: 'mild', claims: [['2026-05', '630000.00'], ['2027-01', '5.00']] },
];

async function seed(db: Database): Promise<void> {
  let n = 0;
  for (const m of MEMBERS) {
    await db.query(`INSERT INTO member (member_id, birth_date, sex, region, insurance_scheme, enrolled_from, enrolled_to, deceased_date, load_id) VALUES ($1, $2, $3, 'R1', 'URRBMI', $4, $5, NULL, 'test')`, [
      m.id,
      m.birth,
      m.sex,
      m.from ?? '2015-01-01',
      m.to ?? null,
    ]);
    await db.query(`INSERT INTO signup (signup_id, member_id, practitioner_id, institution_id, from_date, to_date, load_id) VALUES ($1, $2, 'P1', $3, '2020-01-01', NULL, 'test')`, [`S-${m.id}`, m.id, m.institution]);
    for (const [code, onset] of m.dx ?? [])
      await db.query(`INSERT INTO condition (condition_id, member_id, code_system, code, onset_date, verification_status, source, load_id) VALUES ($1, $2, 'ICD-10-CN', $3, $4, 'confirmed', 'claim', 'test')`, [`C${n++}`, m.id, code, onset]);
    for (const [month, amount] of m.claims ?? [])
      await db.query(`INSERT INTO claim_cost (claim_id, member_id, month, category, institution_id, amount, load_id) VALUES ($1, $2, $3, 'outpatient', $4, $5, 'test')`, [`CL${n++}`, m.id, month, m.institution, amount]);
    if (m.cls)
      await db.query(
        `INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result) VALUES ($1, $2, $3, $4, 3, '{}', 'f', '{}')`,
        [m.id, AS_OF, m.institution, m.cls],
      );
  }
  // B1 was signed up at INST-A before moving to INST-B: the later sign-up takes them out of INST-A's panel.
  await db.query(`INSERT INTO signup (signup_id, member_id, practitioner_id, institution_id, from_date, to_date, load_id) VALUES ('S-B1-old', 'B1', 'P1', 'INST-A', '2010-01-01', NULL, 'test')`);
  // A score for another as-of date is not the class of the year.
  await db.query(`INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result) VALUES ('A7', '2026-06-30', 'INST-A', 'severe', 1, '{}', 'f', '{}')`);
}

describeEachEngine('settlement API', (getDb) => {
  let app: RunningApp;
  const client = (key: string = KEYS.settlement) => createClient({ baseUrl: app.baseUrl, operations: SETTLEMENT_OPERATIONS, apiKey: key });
  const post = (p: string, body: unknown, headers: Record<string, string> = {}, key: string = KEYS.settlement) =>
    request(app.baseUrl, p, { method: 'POST', key, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    await seed(getDb());
    // pageSize 2: every paged read and chunked insert runs several pages even on this tiny panel.
    app = await startApp({ db: getDb(), routes: [settlementRoutes({ policy, riskModelsDir: modelsDir, pageSize: 2 })], bodyLimit: '1mb' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('prices the whole panel with hand-worked numbers; totals are sums of rounded lines', async () => {
    const r = await client().call('createRiskAdjustment', { body: { period: 2026, institution_id: 'INST-A', base_standard: '3600.00' } });
    expect(r.resultId).toMatch(/^ra-/);
    expect(r).toMatchObject({ period: 2026, institutionId: 'INST-A', baseStandard: '3600.00', classAsOf: AS_OF, paymentScoreDecimals: 3 });
    // Default model: the highest version on disk (no champion pointer).
    expect(r.model).toMatchObject({ name: 'risk-adjustment', version: 2, tablesId: 'bureau-risk-adjustment-v2', segment: 'BUREAU', categoriesFile: 'tiny-categories' });
    expect(r.model.tablesSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.lines.map((l) => [l.memberId, l.riskClass, l.age, l.enrolledMonths, l.paymentScore, l.medicalCapitation, l.packageAmount])).toEqual([
      ['A1', 'mild', 64, 12, '1.451', '5223.60', '300.00'],
      ['A2', 'severe', 44, 9, '1.000', '2700.00', '600.00'],
      ['A4', 'healthy', 43, 1, '0.400', '120.00', '1.67'],
    ]);
    // Which coefficient, which code (E11.2 with onset in the payment year is not used for A1).
    expect(r.lines[0]!.contributions).toEqual([
      { coefficient: 'BUREAU_F55_GT', kind: 'demographic', value: 0.9, categories: [], dx: [] },
      { coefficient: 'BUREAU_HCC10', kind: 'category', value: 0.3, categories: [10], dx: ['E119'] },
      { coefficient: 'BUREAU_HCC20', kind: 'category', value: 0.2505, categories: [20], dx: ['I10'] },
    ]);
    expect(r.totals).toEqual({ members: 3, memberMonths: 22, medicalCapitation: '8043.60', packageAmount: '901.67', total: '8945.27' });
    expect(r.problems).toEqual([
      { memberId: 'A5', code: 'SEX_NOT_PRICED', message: 'sex "U" has no age/sex cell in the bureau model' },
      { memberId: 'A7', code: 'RISK_CLASS_MISSING', message: 'no stored score as of 2026-01-01; score the member as of that date first (POST /v1/jobs with as_of 2026-01-01)' },
    ]);
  });

  it('reports explicit members that are unknown or not attributed, and rounds half-up at the fen edge', async () => {
    // 30.15 x 0.400 x 1 / 12 = 1.005 exactly -> 1.01 (half-up; half-even or a float would give 1.00).
    const r = await client().call('createRiskAdjustment', { body: { period: 2026, institution_id: 'INST-A', base_standard: '30.15', member_ids: ['A4', 'B1', 'NOPE', 'A4'], model: 1 } });
    expect(r.model.version).toBe(1);
    expect(r.lines.map((l) => [l.memberId, l.medicalCapitation, l.packageAmount])).toEqual([['A4', '1.01', '1.67']]);
    expect(r.problems.map((p) => [p.memberId, p.code])).toEqual([
      ['B1', 'NOT_ATTRIBUTED'],
      ['NOPE', 'MEMBER_NOT_FOUND'],
    ]);
    expect(r.totals).toEqual({ members: 1, memberMonths: 1, medicalCapitation: '1.01', packageAmount: '1.67', total: '2.68' });
  });

  it('GET returns the same numbers later, and recomputing from the stored inputs reproduces them to the fen', async () => {
    const created = await client().call('createRiskAdjustment', { body: { period: 2026, institution_id: 'INST-A', base_standard: '3600.00' } });
    const read = await client().call('getRiskAdjustment', { params: { resultId: created.resultId } });
    expect(read).toEqual(created);

    const db = getDb();
    const header = (await storedRiskAdjustmentHeader(db, created.resultId))!;
    const { tables, manifest } = await readRiskModelVersion(path.join(modelsDir, String(header.model.version)));
    expect(manifest.tablesSha256).toBe(header.model.tablesSha256);
    const scorer = RiskScorer.fromTables(tables);
    const terms = { baseStandard: header.baseStandard, packageRates: header.packageRates as typeof policy.packageRates, settlement: { ...policy.settlement, paymentScoreDecimals: header.paymentScoreDecimals } };
    const recomputed = [];
    for await (const stored of storedRiskAdjustmentLines(db, created.resultId)) {
      const again = riskAdjustmentLine({ memberId: stored.memberId, age: stored.age, sex: stored.sex, dx: stored.dx, enrolledMonths: stored.enrolledMonths, riskClass: stored.riskClass }, scorer, header.model.segment, terms);
      expect(again).toEqual((({ dx: _dx, ...line }) => line)(stored));
      recomputed.push(again);
    }
    expect(recomputed).toHaveLength(3);
    expect(panelTotals(recomputed)).toEqual(created.totals);
  });

  it('streams the answer (chunked, no Content-Length)', async () => {
    const response = await fetch(`${app.baseUrl}/v1/risk-adjustments`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.settlement, 'content-type': 'application/json' },
      body: JSON.stringify({ period: 2026, institution_id: 'INST-A', base_standard: '3600.00' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const body = (await response.json()) as { lines: unknown[] };
    expect(body.lines).toHaveLength(3);
  });

  it('streams a panel larger than one write (400 members, ~170 KB) with every line and exact totals', async () => {
    const db = getDb();
    const ids = Array.from({ length: 400 }, (_, i) => `S${String(i).padStart(4, '0')}`);
    await db.query(
      `INSERT INTO member (member_id, birth_date, sex, region, insurance_scheme, enrolled_from, load_id)
       SELECT id, '1980-01-01', CASE WHEN n::int % 2 = 0 THEN 'M' ELSE 'F' END, 'R1', 'URRBMI', make_date(2026, ((n % 12) + 1)::int, 1), 'test'
         FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`,
      [ids],
    );
    await db.query(`INSERT INTO signup (signup_id, member_id, practitioner_id, institution_id, from_date, load_id) SELECT 'S-' || id, id, 'P1', 'INST-S', '2020-01-01', 'test' FROM unnest($1::text[]) AS t(id)`, [ids]);
    await db.query(`INSERT INTO condition (condition_id, member_id, code_system, code, onset_date, source, load_id) SELECT 'C-' || id, id, 'ICD-10-CN', 'I10', '2020-01-01', 'claim', 'test' FROM unnest($1::text[]) AS t(id)`, [ids]);
    await db.query(
      `INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result) SELECT id, '2026-01-01', 'INST-S', 'mild', 3, '{}', 'f', '{}' FROM unnest($1::text[]) AS t(id)`,
      [ids],
    );
    const big = await startApp({ db, routes: [settlementRoutes({ policy, riskModelsDir: modelsDir, pageSize: 150 })], bodyLimit: '1mb' });
    try {
      const response = await fetch(`${big.baseUrl}/v1/risk-adjustments`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.settlement, 'content-type': 'application/json' },
        body: JSON.stringify({ period: 2026, institution_id: 'INST-S', base_standard: '3600.00' }),
      });
      const text = await response.text();
      expect(text.length).toBeGreaterThan(100_000);
      const body = JSON.parse(text) as { resultId: string; lines: { memberId: string; enrolledMonths: number; medicalCapitation: string; packageAmount: string }[]; totals: unknown };
      expect(body.lines.map((l) => l.memberId)).toEqual(ids);
      // M: 0.4 + 0.2505 = 0.6505 -> 0.651; F: 0.5 + 0.2505 = 0.7505 -> 0.751 (both half-up).
      expect(body.lines[0]).toMatchObject({ enrolledMonths: 11, medicalCapitation: fenOfText(3600 * 0.751 * 11 / 12) });
      expect(body.totals).toEqual(panelTotals(body.lines));
      const read = await request(big.baseUrl, `/v1/risk-adjustments/${body.resultId}`, { key: KEYS.settlement });
      expect(read.body).toEqual(body);
    } finally {
      await big.close();
    }
  });

  it('scores a missing 1 January class through the scorer it is given, stores it, and prices the member with it', async () => {
    const db = getDb();
    const asked: string[][] = [];
    // Stands in for the scoring service: scores A7 (stores a score as of the day), cannot score A5.
    const scoreClasses = async (ids: readonly string[], asOf: string) => {
      asked.push([...ids, asOf]);
      if (ids.includes('A7'))
        await db.query(`INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result) VALUES ('A7', $1, 'INST-A', 'moderate', 4, '{}', 'f', '{}')`, [asOf]);
      return new Map(ids.filter((id) => id === 'A5').map((id) => [id, 'record failed validation'] as const));
    };
    await db.query(`DELETE FROM score_result WHERE member_id = 'A5'`);
    const scoring = await startApp({ db, routes: [settlementRoutes({ policy, riskModelsDir: modelsDir, pageSize: 2, scoreClasses })], bodyLimit: '1mb' });
    try {
      const r = await request(scoring.baseUrl, '/v1/risk-adjustments', {
        method: 'POST',
        key: KEYS.settlement,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ period: 2026, institution_id: 'INST-A', base_standard: '3600.00', member_ids: ['A1', 'A5', 'A7'] }),
      });
      expect(r.status).toBe(201);
      const body = r.body as { lines: { memberId: string; riskClass: string; packageAmount: string }[]; problems: { memberId: string; code: string; message: string }[] };
      // Only the members without a stored class were sent to the scorer, with 1 January.
      expect(asked).toEqual([['A5', '2026-01-01'], ['A7', '2026-01-01']]);
      expect(body.lines.map((l) => [l.memberId, l.riskClass, l.packageAmount])).toEqual([
        ['A1', 'mild', '300.00'],
        ['A7', 'moderate', '500.00'],
      ]);
      expect(body.problems).toEqual([{ memberId: 'A5', code: 'RISK_CLASS_MISSING', message: 'no stored score as of 2026-01-01, and scoring the member as of that date failed: record failed validation' }]);
    } finally {
      await scoring.close();
      await db.query(`DELETE FROM score_result WHERE member_id = 'A7' AND as_of = '2026-01-01'`);
      await db.query(`INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result) VALUES ('A5', '2026-01-01', 'INST-A', 'healthy', 3, '{}', 'f', '{}')`);
    }
  });

  it('Idempotency-Key: a retry returns the stored result (200); another body with the same key is 409', async () => {
    const body = { period: 2026, institution_id: 'INST-A', base_standard: '3600.00', member_ids: ['A1'] };
    const first = await post('/v1/risk-adjustments', body, { 'idempotency-key': 'retry-1' });
    expect(first.status).toBe(201);
    const retry = await post('/v1/risk-adjustments', body, { 'idempotency-key': 'retry-1' });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const count = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM risk_adjustment WHERE idempotency_key = 'retry-1'`);
    expect(count.rows[0]!.n).toBe(1);
    const conflict = await post('/v1/risk-adjustments', { ...body, base_standard: '3700.00' }, { 'idempotency-key': 'retry-1' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: { code: 'CONFLICT', message: 'this Idempotency-Key was used with a different request body' } });
    // Keys are per caller: the admin's same key is a new request.
    const other = await post('/v1/risk-adjustments', body, { 'idempotency-key': 'retry-1' }, KEYS.admin);
    expect(other.status).toBe(201);
    const bad = await post('/v1/risk-adjustments', body, { 'idempotency-key': 'has spaces' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'BAD_REQUEST', message: 'Idempotency-Key must be 1-128 characters of letters, digits and . _ : -' } });
  });

  it('clinics and analysts are refused (403)', async () => {
    for (const key of [KEYS.clinicA, KEYS.analyst]) {
      const r = await post('/v1/risk-adjustments', { period: 2026, institution_id: 'INST-A', base_standard: '3600.00' }, {}, key);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      const p = await post('/v1/settlements/preview', { risk_adjustment_id: 'ra-00000000-0000-0000-0000-000000000000' }, {}, key);
      expect(p.status).toBe(403);
      const v = await request(app.baseUrl, '/v1/settlement-chain/verification', { key });
      expect(v.status).toBe(403);
    }
  });

  it('validation errors name the field and the rule (400)', async () => {
    const r = await post('/v1/risk-adjustments', { period: 1999, institution_id: 'INST-A', base_standard: '12.345', colour: 'red' });
    expect(r.status).toBe(400);
    const issues = (r.body as { error: { code: string; issues: { path: string; rule: string; message: string }[] } }).error;
    expect(issues.code).toBe('VALIDATION_FAILED');
    expect(issues.issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ['period', 'too_small'],
        ['base_standard', 'invalid_format'],
        ['', 'unrecognized_keys'],
      ]),
    );
    expect(issues.issues.find((i) => i.path === 'base_standard')!.message).toBe('must be a non-negative decimal amount with at most 2 places, e.g. "3600.00"');
    const zero = await post('/v1/risk-adjustments', { period: 2026, institution_id: 'INST-A', base_standard: '0.00' });
    expect((zero.body as { error: { issues: unknown[] } }).error.issues).toEqual([{ location: 'body', path: 'base_standard', rule: 'custom', message: 'base_standard must be greater than 0' }]);
    const missingModel = await post('/v1/risk-adjustments', { period: 2026, institution_id: 'INST-A', base_standard: '1', model: 9 });
    expect(missingModel.status).toBe(422);
    expect(missingModel.body).toMatchObject({ error: { code: 'UNPROCESSABLE', issues: [{ location: 'body', path: 'model', rule: 'not_found', message: 'bureau model version 9 is not on disk' }] } });
    const badId = await request(app.baseUrl, '/v1/risk-adjustments/123', { key: KEYS.settlement });
    expect(badId.status).toBe(400);
    const unknown = await request(app.baseUrl, '/v1/risk-adjustments/ra-00000000-0000-0000-0000-000000000000', { key: KEYS.settlement });
    expect(unknown.status).toBe(404);
  });

  it('answers 503 when no bureau model version is on disk', async () => {
    const empty = await startApp({ db: getDb(), routes: [settlementRoutes({ policy, riskModelsDir: mkdtempSync(path.join(tmpdir(), 'settleapi-empty-')) })] });
    try {
      const r = await request(empty.baseUrl, '/v1/risk-adjustments', {
        method: 'POST',
        key: KEYS.settlement,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ period: 2026, institution_id: 'INST-A', base_standard: '1' }),
      });
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', reason: 'risk_model_not_found' } });
    } finally {
      await empty.close();
    }
  });

  let workedRa = '';
  it('preview reproduces the DOMAIN.md worked example: fund 108,000.00 extra, institution 42,000.00', async () => {
    const ra = await client().call('createRiskAdjustment', { body: { period: 2026, institution_id: 'INST-W', base_standard: '1250000.00' } });
    expect(ra.totals.medicalCapitation).toBe('1000000.00');
    workedRa = ra.resultId;
    const preview = await client().call('previewSettlement', {
      body: { risk_adjustment_id: workedRa, deliveries: [{ member_id: 'W1', required_services: 4, delivered_services: 4 }, { member_id: 'W2', required_services: 4, delivered_services: 2 }] },
    });
    const s = preview.statement as unknown as {
      medicalBudget: { amount: string };
      actualClaims: { amount: string };
      managementPackage: { amount: string };
      outcome: string;
      overspend: { total: { amount: string }; severe: { amount: { amount: string }; fund: { amount: string }; institution: { amount: string } }; bands: { fund: { amount: string }; institution: { amount: string } }[]; fundTotal: { amount: string }; institutionTotal: { amount: string } };
      netPayable: { amount: string };
      riskReserve: { held: string; used: string; left: string };
      statementId: string;
    };
    expect(preview.preview).toBe(true);
    expect(preview.membersWithoutDelivery).toBe(0);
    expect(s.statementId).toBe('INST-W/2026/r1');
    expect(s.medicalBudget.amount).toBe('1000000.00');
    // Claims of 2025 and 2027 do not count.
    expect(s.actualClaims.amount).toBe('1150000.00');
    expect(s.outcome).toBe('overspend');
    expect(s.overspend.total.amount).toBe('150000.00');
    expect([s.overspend.severe.amount.amount, s.overspend.severe.fund.amount, s.overspend.severe.institution.amount]).toEqual(['20000.00', '14000.00', '6000.00']);
    expect(s.overspend.bands.map((b) => [b.fund.amount, b.institution.amount])).toEqual([
      ['70000.00', '30000.00'],
      ['24000.00', '6000.00'],
      ['0.00', '0.00'],
    ]);
    expect(s.overspend.fundTotal.amount).toBe('108000.00');
    expect(s.overspend.institutionTotal.amount).toBe('42000.00');
    // Packages on delivery: severe 800 x 4/4 + mild 300 x 2/4 = 950.00.
    expect(s.managementPackage.amount).toBe('950.00');
    expect(s.netPayable.amount).toBe('1108950.00');
    // Reserve: 5% of 1,000,950.00 = 50,047.50, all used by the fund's 108,000.00.
    expect(s.riskReserve).toMatchObject({ held: '50047.50', used: '50047.50', left: '0.00' });
    // Not stored.
    const stored = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM settlement_statement`);
    expect(stored.rows[0]!.n).toBe(0);
  });

  it('a member without a delivery record is paid no package', async () => {
    const preview = await client().call('previewSettlement', { body: { risk_adjustment_id: workedRa } });
    expect(preview.membersWithoutDelivery).toBe(2);
    expect(preview.statement.managementPackage.amount).toBe('0.00');
    const outside = await post('/v1/settlements/preview', { risk_adjustment_id: workedRa, deliveries: [{ member_id: 'A1', required_services: 1, delivered_services: 1 }] });
    expect(outside.status).toBe(422);
    expect(outside.body).toMatchObject({ error: { issues: [{ location: 'body', path: 'deliveries.0.member_id', rule: 'not_in_risk_adjustment' }] } });
  });

  it('stores statements immutably in a hash chain; a superseding statement keeps both on record; tampering is detected', async () => {
    const c = client();
    const deliveries = [{ member_id: 'W1', required_services: 4, delivered_services: 4 }, { member_id: 'W2', required_services: 4, delivered_services: 2 }];
    const first = await c.call('createSettlement', { body: { risk_adjustment_id: workedRa, deliveries } });
    expect(first).toMatchObject({ statementId: 'INST-W/2026/r1', riskAdjustmentId: workedRa, supersedesSettlementId: null, supersededBySettlementId: null, reason: null, previousHash: null, supersedesHash: null });
    expect(first.statement.netPayable.amount).toBe('1108950.00');
    expect(await c.call('getSettlement', { params: { settlementId: first.settlementId } })).toEqual(first);

    const again = await post('/v1/settlements', { risk_adjustment_id: workedRa });
    expect(again.status).toBe(409);

    // Appeal accepted: a P4P bonus is added; the rest is taken from the first statement's inputs.
    const second = await c.call('supersedeSettlement', {
      params: { settlementId: first.settlementId },
      body: { reason: 'appeal 2027-014 accepted: P4P bonus', p4p: { p4p_statement_id: 'P4P-W-2026', bonus: '1000.00', deduction: '0.00', next_year_coefficient: 1 } },
    });
    expect(second).toMatchObject({ statementId: 'INST-W/2026/r2', supersedesSettlementId: first.settlementId, reason: 'appeal 2027-014 accepted: P4P bonus', previousHash: first.hash, supersedesHash: first.hash });
    expect(second.statement).toMatchObject({ revision: 2, supersedes: 'INST-W/2026/r1' });
    expect(second.statement.managementPackage.amount).toBe('950.00');
    expect(second.statement.netPayable.amount).toBe('1109950.00');
    const old = await c.call('getSettlement', { params: { settlementId: first.settlementId } });
    expect(old.supersededBySettlementId).toBe(second.settlementId);
    expect(old.statement).toEqual(first.statement);

    const twice = await post(`/v1/settlements/${first.settlementId}/supersede`, { reason: 'again' });
    expect(twice.status).toBe(409);
    const emptyReason = await post(`/v1/settlements/${second.settlementId}/supersede`, { reason: '  ' });
    expect(emptyReason.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ path: 'reason', rule: 'too_small', message: 'reason must not be empty' }] } });

    expect(await c.call('verifySettlementChain')).toEqual({ valid: true, length: 2, problems: [] });

    // The store refuses edits outright...
    const db = getDb();
    await expect(db.query(`UPDATE settlement_statement SET reason = 'x' WHERE settlement_id = $1`, [second.settlementId])).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM risk_adjustment_line`)).rejects.toThrow(/append-only/);
    // ...and an edit that bypasses it (trigger disabled) is caught by the chain.
    await db.exec(`ALTER TABLE settlement_statement DISABLE TRIGGER settlement_statement_no_update_delete`);
    await db.query(`UPDATE settlement_statement SET sealed = replace(sealed, '"1108950.00"', '"1118950.00"') WHERE settlement_id = $1`, [first.settlementId]);
    await db.exec(`ALTER TABLE settlement_statement ENABLE TRIGGER settlement_statement_no_update_delete`);
    const verdict = await c.call('verifySettlementChain');
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual([{ index: 0, settlementId: first.settlementId, code: 'HASH_MISMATCH', message: 'record 0 was changed after it was sealed' }]);
  });

  it('the typed client reports a refused call as ApiClientError', async () => {
    await expect(client(KEYS.analyst).call('verifySettlementChain')).rejects.toBeInstanceOf(ApiClientError);
  });
});
