/**
 * The performance routes and the stored run on both engines: a generated ~2,000-member
 * population loaded into the store, a run computed through POST /compute, then the list, the
 * institution detail with its drill-down, the clinic's scope, validation and 404s; and the HTML
 * report rendered from the stored run. Then a quarter (2026Q2, the rolling twelve months
 * 2025-07-01..2026-06-30): rates without money, end to end, with two hand-made diabetics whose
 * only HbA1c lies inside the quarter's window but before 2026, and before the window.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiKeyRecords } from '../../../src/api/auth.ts';
import { performanceRoutes } from '../../../src/api/routes/performance.ts';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { loadPopulation } from '../../../src/ingest/loader.ts';
import { renderPerformanceReport } from '../../../src/performance/report/html.ts';
import { QUARTER_STATEMENTS_NOTE } from '../../../src/performance/report/performance-run.ts';
import { latestRun } from '../../../src/performance/report/run-store.ts';
import { startApp, type RunningApp } from '../../api/harness.ts';
import { describeEachEngine } from '../../helpers/engines.ts';
import { memberRecord } from '../adjustment/fixtures.ts';
import { generatePopulation } from './population.ts';
import { insertMemberRecords } from './store-records.ts';

const population = generatePopulation();

interface Row {
  institutionId: string;
  rank: number | null;
  O1: { raw: number | null; riskStandardised: number | null; denominator: number };
  composite: string | null;
  bonus: string | null;
  deduction: string | null;
  coefficient: number | null;
  notRankedReason: string | null;
}
interface MemberRow {
  memberId: string;
  indicator: string;
  inNumerator: boolean;
  explanation: string;
}

/** HbA1c 6.2 % on 2025-09-15: inside 2026Q2's rolling twelve months, outside the year 2026. */
const IN_WINDOW = 'QTEST-IN';
/** HbA1c 6.2 % on 2025-06-15: before 2026Q2's window (2025-07-01) and before 2026. */
const BEFORE_WINDOW = 'QTEST-OUT';

describeEachEngine('performance routes', (getDb) => {
  let app: RunningApp;
  let institutionA: string;
  let institutionB: string;
  const keyOf = { analyst: 'k-analyst-0123456789abcdef', settlement: 'k-settle-0123456789abcdef', admin: 'k-admin-0123456789abcdef', clinicA: 'k-clinic-0123456789abcdef' };
  const call = async (method: string, url: string, key: string) => {
    const res = await fetch(`${app.baseUrl}${url}`, { method, headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const db = getDb();
    await loadPopulation(db, { from: population });
    const ids = (await db.query<{ institution_id: string }>(`SELECT institution_id FROM institution ORDER BY 1`)).rows.map((r) => r.institution_id);
    institutionA = ids[0]!;
    institutionB = ids[1]!;
    // Diabetics since 2019, signed up at A since 2024 and enrolled throughout: attributed in both periods.
    await insertMemberRecords(db, [
      memberRecord({ id: IN_WINDOW, institution: institutionA, signupFrom: '2024-03-01', diabetes: '2019-05-01', hba1c: [['2025-09-15', 6.2]] }),
      memberRecord({ id: BEFORE_WINDOW, institution: institutionA, signupFrom: '2024-03-01', diabetes: '2019-05-01', hba1c: [['2025-06-15', 6.2]] }),
    ]);
    app = await startApp({
      db,
      routes: [performanceRoutes({ policy: defaultPolicy(), today: () => '2027-01-15', adjustment: { bootstrapReplicates: 10, seed: 1 } })],
      auth: {
        apiKeys: apiKeyRecords([
          { id: 'analyst', role: 'analyst', key: keyOf.analyst },
          { id: 'settlement', role: 'settlement', key: keyOf.settlement },
          { id: 'admin', role: 'admin', key: keyOf.admin },
          { id: 'clinic-a', role: 'clinic', institutionId: institutionA, key: keyOf.clinicA },
        ]),
        metricsAccess: 'admin',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('404 before any run of the period is stored', async () => {
    const r = await call('GET', '/v1/performance/2026/institutions', keyOf.analyst);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'NOT_FOUND', message: 'no performance run stored for this period' } });
  });

  it('POST compute: analysts compute and store a run (200, synchronous); clinics and settlement may not', async () => {
    expect((await call('POST', '/v1/performance/2026/compute', keyOf.clinicA)).status).toBe(403);
    expect((await call('POST', '/v1/performance/2026/compute', keyOf.settlement)).status).toBe(403);
    const r = await call('POST', '/v1/performance/2026/compute', keyOf.analyst);
    expect(r.status).toBe(200);
    expect(r.body.runId).toMatch(/^perf-[0-9a-f-]{36}$/);
    expect(r.body).toMatchObject({ period: '2026', periodKind: 'year', periodStart: '2026-01-01', periodEnd: '2026-12-31', statementsNote: null, issuedOn: '2027-01-15' });
    expect((r.body.institutions as Row[]).map((i) => i.institutionId).sort()).toContain(institutionA);
    const stored = await getDb().query<{ n: string }>(`SELECT count(*)::text AS n FROM performance_run WHERE run_id = $1`, [r.body.runId]);
    expect(stored.rows[0]!.n).toBe('1');
    // Append-only.
    await expect(getDb().query(`UPDATE performance_run SET period = '2025'`)).rejects.toThrow(/append-only/);
  }, 60_000);

  it('GET institutions: bureau roles see the whole ranked table, a clinic only its own row', async () => {
    const all = await call('GET', '/v1/performance/2026/institutions', keyOf.settlement);
    expect(all.status).toBe(200);
    const rows = all.body.institutions as Row[];
    const count = (await getDb().query<{ n: string }>(`SELECT count(*)::text AS n FROM institution`)).rows[0]!.n;
    expect(rows).toHaveLength(Number(count));
    expect(rows[0]).toHaveProperty('O1.riskStandardised');
    const own = await call('GET', '/v1/performance/2026/institutions', keyOf.clinicA);
    expect((own.body.institutions as Row[]).map((r) => r.institutionId)).toEqual([institutionA]);
  });

  it('GET institution: figures, statement and the drill-down with reasons, audited', async () => {
    const r = await call('GET', `/v1/performance/2026/institutions/${institutionA}`, keyOf.clinicA);
    expect(r.status).toBe(200);
    const figures = r.body.figures as { institutionId: string; outcomes: { O1: { denominator: number; observed: number } }; statement: unknown; money: { capitationSource: string } };
    expect(figures.institutionId).toBe(institutionA);
    expect(figures.money.capitationSource).toBe('none stored');
    const members = r.body.members as { memberId: string; indicator: string; inNumerator: boolean; explanation: string }[];
    const o1 = members.filter((m) => m.indicator === 'O1');
    expect(o1).toHaveLength(figures.outcomes.O1.denominator);
    expect(o1.filter((m) => m.inNumerator)).toHaveLength(figures.outcomes.O1.observed);
    for (const m of members) expect(m.explanation.length).toBeGreaterThan(0);
    const audit = await getDb().query<{ action: string }>(`SELECT action FROM audit_log WHERE resource = $1`, [`performance/2026/institutions/${institutionA}`]);
    expect(audit.rows.map((a) => a.action)).toContain('performance.drill-down');
    const bureau = await call('GET', `/v1/performance/2026/institutions/${institutionB}`, keyOf.admin);
    expect(bureau.status).toBe(200);
    expect((bureau.body.row as Row).institutionId).toBe(institutionB);
  });

  it("a clinic cannot see another institution's drill-down: 404, not 403", async () => {
    const r = await call('GET', `/v1/performance/2026/institutions/${institutionB}`, keyOf.clinicA);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('members');
  });

  it('a period that is neither a year nor a quarter is 400 naming the field and the rule, on every route', async () => {
    const rule = 'period must be a year YYYY (1900-9999, e.g. 2026) or a quarter YYYYQn with n 1-4 (e.g. 2026Q2)';
    for (const bad of ['20x6', '2026Q5', '26', '2026-Q1', '2026Q0', '2026q1', '0999'])
      for (const [method, url] of [
        ['GET', `/v1/performance/${bad}/institutions`],
        ['GET', `/v1/performance/${bad}/institutions/${institutionA}`],
        ['POST', `/v1/performance/${bad}/compute`],
      ] as const) {
        const r = await call(method, url, keyOf.analyst);
        expect(r.status, `${method} ${url}`).toBe(400);
        expect(r.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ location: 'params', path: 'period', message: rule }] } });
      }
    const stored = await getDb().query<{ n: string }>(`SELECT count(*)::text AS n FROM performance_run WHERE period NOT IN ('2026')`);
    expect(stored.rows[0]!.n).toBe('0');
  });

  it('the report rendered from the stored run has a funnel plot per outcome and the ranked table', async () => {
    const run = (await latestRun(getDb(), '2026'))!;
    const html = renderPerformanceReport(run.result, run);
    expect(html.match(/<svg class="funnel"/g)).toHaveLength(2);
    expect(html.match(/<tr/g)!.length).toBe(run.result.institutions.length + 1);
    expect(html).toContain(run.runId);
  });
  it('POST compute of a quarter: the rolling twelve months, rates only, every row saying statements are yearly', async () => {
    expect((await call('GET', '/v1/performance/2026Q2/institutions', keyOf.analyst)).status).toBe(404);
    const r = await call('POST', '/v1/performance/2026Q2/compute', keyOf.analyst);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ period: '2026Q2', periodKind: 'quarter', periodStart: '2025-07-01', periodEnd: '2026-06-30', statementsNote: QUARTER_STATEMENTS_NOTE });
    const rows = r.body.institutions as Row[];
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row).toMatchObject({ rank: null, composite: null, bonus: null, deduction: null, coefficient: null, notRankedReason: QUARTER_STATEMENTS_NOTE });
    }
    // Monitoring still has its rates: raw and risk-standardised.
    expect(rows.some((row) => row.O1.raw !== null && row.O1.riskStandardised !== null)).toBe(true);
    const stored = await getDb().query<{ period: string }>(`SELECT period FROM performance_run WHERE run_id = $1`, [r.body.runId]);
    expect(stored.rows).toEqual([{ period: '2026Q2' }]);
    // The year's run is still the one served for 2026.
    const year = await call('GET', '/v1/performance/2026/institutions', keyOf.analyst);
    expect(year.body).toMatchObject({ period: '2026', periodKind: 'year', statementsNote: null });
    expect((year.body.institutions as Row[]).some((row) => row.rank !== null)).toBe(true);
  }, 60_000);

  it('GET a quarter: the list (a clinic its own row) and the drill-down, with no money and no statement', async () => {
    const all = await call('GET', '/v1/performance/2026Q2/institutions', keyOf.settlement);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ period: '2026Q2', periodKind: 'quarter' });
    const own = await call('GET', '/v1/performance/2026Q2/institutions', keyOf.clinicA);
    expect((own.body.institutions as Row[]).map((row) => row.institutionId)).toEqual([institutionA]);
    const detail = await call('GET', `/v1/performance/2026Q2/institutions/${institutionA}`, keyOf.clinicA);
    expect(detail.status).toBe(200);
    expect(detail.body.figures).toMatchObject({ institutionId: institutionA, money: null, statement: null, notRankedReason: QUARTER_STATEMENTS_NOTE });
    expect(detail.body.row).toMatchObject({ institutionId: institutionA, bonus: null, notRankedReason: QUARTER_STATEMENTS_NOTE });
    const audit = await getDb().query<{ action: string }>(`SELECT action FROM audit_log WHERE resource = $1`, [`performance/2026Q2/institutions/${institutionA}`]);
    expect(audit.rows.map((a) => a.action)).toContain('performance.drill-down');
    expect((await call('GET', `/v1/performance/2026Q2/institutions/${institutionB}`, keyOf.clinicA)).status).toBe(404);
  });

  it('a quarter reads the rolling twelve months: a reading before the calendar year but inside the window counts, one before the window does not', async () => {
    const o1 = async (period: string) => {
      const r = await call('GET', `/v1/performance/${period}/institutions/${institutionA}`, keyOf.analyst);
      const members = (r.body.members as MemberRow[]).filter((m) => m.indicator === 'O1');
      return new Map(members.filter((m) => m.memberId === IN_WINDOW || m.memberId === BEFORE_WINDOW).map((m) => [m.memberId, m]));
    };
    const quarter = await o1('2026Q2');
    expect(quarter.get(IN_WINDOW)).toEqual({ memberId: IN_WINDOW, indicator: 'O1', inNumerator: true, explanation: 'controlled: HbA1c 6.2% on 2025-09-15' });
    expect(quarter.get(BEFORE_WINDOW)).toEqual({ memberId: BEFORE_WINDOW, indicator: 'O1', inNumerator: false, explanation: 'not controlled: no HbA1c reading in the period' });
    // The calendar year 2026 sees neither reading.
    const year = await o1('2026');
    expect(year.get(IN_WINDOW)).toMatchObject({ inNumerator: false, explanation: 'not controlled: no HbA1c reading in the period' });
    expect(year.get(BEFORE_WINDOW)).toMatchObject({ inNumerator: false });
  });

  it('the report of a quarter names the window and says there are no statements', async () => {
    const run = (await latestRun(getDb(), '2026Q2'))!;
    expect(run.period).toBe('2026Q2');
    const html = renderPerformanceReport(run.result, run);
    expect(html).toContain('<h1>Institution performance, quarter 2026Q2 (rolling twelve months 2025-07-01 to 2026-06-30)</h1>');
    expect(html).toContain(`No P4P statements: ${QUARTER_STATEMENTS_NOTE}.`);
    expect(html).not.toContain('statements issued');
    expect(html.match(/<svg class="funnel"/g)).toHaveLength(2);
  });
});
