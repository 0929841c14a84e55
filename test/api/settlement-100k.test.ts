/**
 * Issue 5 item 4: "batches of 100,000 members stream". A panel of 100,000 members (built with
 * set-based SQL, not the generator, so the suite stays fast) priced through the real route on
 * both engines: the answer arrives in many chunks, carries every member once with totals that are
 * the sums of the rounded lines, is stored, and reads back byte for byte the same.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { settlementRoutes } from '../../src/api/routes/settlement.ts';
import { panelTotals } from '../../src/capitation/risk-adjustment.ts';
import { defaultPolicy } from '../../src/config/policy.ts';
import { writeTinyModelVersions } from '../capitation/fixtures.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { KEYS, startApp, type RunningApp } from './harness.ts';

const PANEL = 100_000;
const INSTITUTION = 'INST-BIG';
const modelsDir = writeTinyModelVersions([1]);

interface Line {
  memberId: string;
  sex: string;
  enrolledMonths: number;
  paymentScore: string;
  medicalCapitation: string;
  packageAmount: string;
}

/** Reads a streamed body, counting the chunks it arrived in. */
async function readStreamed(response: Response): Promise<{ text: string; chunks: number }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), chunks };
}

/** Null when equal, else the position and a little of each side. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i} of ${a.length}/${b.length}: ${JSON.stringify(a.slice(Math.max(0, i - 80), i + 80))} vs ${JSON.stringify(b.slice(Math.max(0, i - 80), i + 80))}`;
}

describeEachEngine('risk adjustment of a 100,000-member panel', (getDb) => {
  let app: RunningApp;

  beforeAll(async () => {
    const db = getDb();
    // Members M000000..M099999: even numbers male, odd female; every tenth enrolled from July
    // (6 months); every third hypertensive; classes cycle so every package rate is used.
    await db.query(
      `INSERT INTO member (member_id, birth_date, sex, region, insurance_scheme, enrolled_from, load_id)
       SELECT 'M' || lpad(n::text, 6, '0'), '1960-01-01', CASE WHEN n % 2 = 0 THEN 'M' ELSE 'F' END, 'R1', 'URRBMI',
              CASE WHEN n % 10 = 0 THEN DATE '2026-07-01' ELSE DATE '2015-01-01' END, 'test'
         FROM generate_series(0, ${PANEL - 1}) AS n`,
    );
    await db.query(
      `INSERT INTO signup (signup_id, member_id, practitioner_id, institution_id, from_date, load_id)
       SELECT 'S-' || member_id, member_id, 'P1', '${INSTITUTION}', DATE '2020-01-01', 'test' FROM member`,
    );
    await db.query(
      `INSERT INTO condition (condition_id, member_id, code_system, code, onset_date, source, load_id)
       SELECT 'C-' || member_id, member_id, 'ICD-10-CN', 'I10', DATE '2020-01-01', 'claim', 'test' FROM member WHERE substr(member_id, 2)::int % 3 = 0`,
    );
    await db.query(
      `INSERT INTO score_result (member_id, as_of, institution_id, risk_class, class_row, model_versions, input_fingerprint, result)
       SELECT member_id, DATE '2026-01-01', '${INSTITUTION}', (ARRAY['healthy', 'high-risk', 'mild', 'moderate', 'severe'])[substr(member_id, 2)::int % 5 + 1], 3, '{}', 'f', '{}' FROM member`,
    );
    await db.query('ANALYZE');
    app = await startApp({ db, routes: [settlementRoutes({ policy: defaultPolicy(), riskModelsDir: modelsDir })], bodyLimit: '1mb' });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('streams every member in many chunks with exact totals, stores it, and reads it back byte for byte', async () => {
    const response = await fetch(`${app.baseUrl}/v1/risk-adjustments`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.settlement, 'content-type': 'application/json' },
      body: JSON.stringify({ period: 2026, institution_id: INSTITUTION, base_standard: '3600.00' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-length')).toBeNull();
    const created = await readStreamed(response);
    expect(created.chunks).toBeGreaterThan(10);
    const body = JSON.parse(created.text) as { resultId: string; lines: Line[]; totals: ReturnType<typeof panelTotals>; problems: unknown[] };
    expect(body.problems).toEqual([]);
    expect(body.lines).toHaveLength(PANEL);
    expect(new Set(body.lines.map((l) => l.memberId)).size).toBe(PANEL);
    expect(body.totals).toEqual(panelTotals(body.lines));
    expect(body.totals.members).toBe(PANEL);
    expect(body.totals.memberMonths).toBe(PANEL * 12 - (PANEL / 10) * 6);
    // The same sex, months and diagnoses always price the same: (M, 12), (F, 12) and (M, 6) months
    // (every tenth member, all even, so male) x with or without hypertension; the hand-worked
    // prices are in settlement.test.ts.
    const priced = new Map<string, string>();
    for (const l of body.lines) {
      const key = `${l.sex}|${l.enrolledMonths}|${Number(l.memberId.slice(1)) % 3 === 0}`;
      const seen = priced.get(key);
      if (seen === undefined) priced.set(key, `${l.paymentScore} ${l.medicalCapitation}`);
      else expect(`${l.paymentScore} ${l.medicalCapitation}`).toBe(seen);
    }
    expect(priced.size).toBe(6);

    const stored = await getDb().query<{ n: number }>(`SELECT count(*)::int AS n FROM risk_adjustment_line WHERE result_id = $1`, [body.resultId]);
    expect(stored.rows[0]!.n).toBe(PANEL);

    const read = await fetch(`${app.baseUrl}/v1/risk-adjustments/${body.resultId}`, { headers: { 'x-api-key': KEYS.settlement } });
    expect(read.status).toBe(200);
    const again = await readStreamed(read);
    expect(again.chunks).toBeGreaterThan(10);
    // Compared by first difference: a failing toBe on two 20 MB strings would print them both.
    expect(firstDifference(again.text, created.text)).toBeNull();
  }, 240_000);
});
