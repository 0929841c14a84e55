/**
 * The performance routes and the stored run on both engines: a generated ~2,000-member
 * population loaded into the store, a run computed through POST /compute, then the list, the
 * institution detail with its drill-down, the clinic's scope, validation and 404s; and the HTML
 * report rendered from the stored run.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiKeyRecords } from '../../../src/api/auth.ts';
import { performanceRoutes } from '../../../src/api/routes/performance.ts';
import { defaultPolicy } from '../../../src/config/policy.ts';
import { loadPopulation } from '../../../src/ingest/loader.ts';
import { renderPerformanceReport } from '../../../src/performance/report/html.ts';
import { latestRun } from '../../../src/performance/report/run-store.ts';
import { startApp, type RunningApp } from '../../api/harness.ts';
import { describeEachEngine } from '../../helpers/engines.ts';
import { generatePopulation } from './population.ts';

const population = generatePopulation();

interface Row {
  institutionId: string;
  rank: number | null;
}

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
    expect(r.body).toMatchObject({ period: 2026, issuedOn: '2027-01-15' });
    expect((r.body.institutions as Row[]).map((i) => i.institutionId).sort()).toContain(institutionA);
    const stored = await getDb().query<{ n: string }>(`SELECT count(*)::text AS n FROM performance_run WHERE run_id = $1`, [r.body.runId]);
    expect(stored.rows[0]!.n).toBe('1');
    // Append-only.
    await expect(getDb().query(`UPDATE performance_run SET period = 2025`)).rejects.toThrow(/append-only/);
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

  it('a period that is not a year is 400 naming the field', async () => {
    const r = await call('GET', '/v1/performance/20x6/institutions', keyOf.analyst);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [{ location: 'params', path: 'period', message: 'period must be a 4-digit year, e.g. 2026' }] } });
    expect((await call('POST', '/v1/performance/2026Q1/compute', keyOf.analyst)).status).toBe(400);
  });

  it('the report rendered from the stored run has a funnel plot per outcome and the ranked table', async () => {
    const run = (await latestRun(getDb(), 2026))!;
    const html = renderPerformanceReport(run.result, run);
    expect(html.match(/<svg class="funnel"/g)).toHaveLength(2);
    expect(html.match(/<tr/g)!.length).toBe(run.result.institutions.length + 1);
    expect(html).toContain(run.runId);
  });
});
