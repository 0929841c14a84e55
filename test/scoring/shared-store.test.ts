/**
 * Single-member scoring under load shares its statements: concurrent reads go out as one, and
 * concurrent score + audit writes are committed together; each request still gets its own
 * record, its own outcome, and nothing is answered before its write is in.
 */
import { expect, it } from 'vitest';
import type { RiskClass } from '../../src/config/policy.ts';
import type { MemberScore } from '../../src/scoring/score-member.ts';
import { SharedScoreStore } from '../../src/scoring/shared-store.ts';
import { storedRow, type AuditRecord } from '../../src/scoring/service.ts';
import { parseMemberRecord } from '../../src/store/members.ts';
import { describeEachEngine } from '../helpers/engines.ts';

/** A score as scoreMember shapes it (the store reads these fields). */
function fakeScore(memberId: string, asOf: string, riskClass: RiskClass, probability: number): MemberScore {
  return {
    memberId,
    asOf,
    predictions: [
      { model: 'readmission', version: 1, probability: null, notApplicable: 'no inpatient discharge on record', index: null, topFactors: [] },
      { model: 'onset-diabetes', version: 2, probability, index: `3 years from ${asOf}`, topFactors: [{ feature: 'age', text: 'age: 61', value: 61, contribution: 0.4 }] },
    ],
    riskClass: { class: riskClass, row: 4, reasons: ['a reason'], unknownControl: [], careGaps: [] },
    package: { class: riskClass, annualRate: 120 },
    interventions: [],
    nextDue: null,
    modelVersions: { readmission: 1, 'onset-diabetes': 2 },
    inputFingerprint: `fp-${memberId}-${asOf}`,
    policyFingerprint: 'policy',
  };
}

const audit = (memberId: string): AuditRecord => ({ actor: 'k-analyst', role: 'analyst', action: 'score.read', resource: 'members/score', memberIds: [memberId], detail: { inline: false } });

describeEachEngine('shared score store', (getDb) => {
  it('concurrent reads share a statement; each caller gets the record asked for', async () => {
    const db = getDb();
    for (const id of ['M-S1', 'M-S2'])
      await db.query(`INSERT INTO member (member_id, birth_date, sex, region, insurance_scheme, enrolled_from, load_id) VALUES ($1, '1960-01-01', 'F', 'R1', 'UEBMI', '2020-01-01', 'test')`, [id]);
    const store = new SharedScoreStore(db);
    const [a, b, again, none] = await Promise.all([store.read('M-S1'), store.read('M-S2'), store.read('M-S1'), store.read('NO-SUCH')]);
    const parse = (stored: typeof a) => stored && parseMemberRecord(stored.layout, stored.record.text);
    expect(parse(a)?.member).toMatchObject({ member_id: 'M-S1', birth_date: '1960-01-01' });
    expect(parse(b)?.member.member_id).toBe('M-S2');
    expect(none).toBeUndefined();
    expect(again).toEqual(a);
  });

  it('commits concurrent scores with their audit rows; a repeated member keeps its order; a bad write fails alone', async () => {
    const db = getDb();
    const store = new SharedScoreStore(db);
    const bad = { ...fakeScore('M-BAD', '2026-01-01', 'mild', 0.2), riskClass: { class: 'no-such-class' as RiskClass, row: 4 as const, reasons: [], unknownControl: [], careGaps: [] } };
    const outcomes = await Promise.allSettled([
      store.store(storedRow(fakeScore('M-G1', '2026-01-01', 'mild', 0.1), 'I-1'), true, audit('M-G1')),
      store.store(storedRow(fakeScore('M-G2', '2026-01-01', 'severe', 0.9), 'I-1'), true, audit('M-G2')),
      store.store(storedRow(bad, 'I-1'), true, audit('M-BAD')),
      store.store(storedRow(fakeScore('M-G1', '2026-02-01', 'moderate', 0.3), 'I-2'), true, audit('M-G1')),
      // An inline record: kept in the history, never the member's listed score.
      store.store(storedRow(fakeScore('M-G3', '2026-01-01', 'healthy', 0.05), null), false, audit('M-G3')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);

    const history = await db.query<{ member_id: string; as_of: string; result: { riskClass: { class: string } } }>(
      `SELECT member_id, as_of, result FROM score_result WHERE member_id LIKE 'M-G%' OR member_id = 'M-BAD' ORDER BY score_id`,
    );
    expect(history.rows.map((r) => [r.member_id, r.as_of, r.result.riskClass.class])).toEqual([
      ['M-G1', '2026-01-01', 'mild'],
      ['M-G2', '2026-01-01', 'severe'],
      ['M-G1', '2026-02-01', 'moderate'],
      ['M-G3', '2026-01-01', 'healthy'],
    ]);
    const latest = await db.query<{ member_id: string; as_of: string; institution_id: string; risk_class: string; max_risk: number }>(
      `SELECT member_id, as_of, institution_id, risk_class, max_risk FROM member_latest_score WHERE member_id LIKE 'M-G%' OR member_id = 'M-BAD' ORDER BY member_id`,
    );
    expect(latest.rows).toEqual([
      { member_id: 'M-G1', as_of: '2026-02-01', institution_id: 'I-2', risk_class: 'moderate', max_risk: 0.3 },
      { member_id: 'M-G2', as_of: '2026-01-01', institution_id: 'I-1', risk_class: 'severe', max_risk: 0.9 },
    ]);
    // One audit row per answered request, none for the write that failed.
    const audited = await db.query<{ member_ids: string[]; detail: unknown }>(`SELECT member_ids, detail FROM audit_log WHERE action = 'score.read' AND actor = 'k-analyst' ORDER BY id`);
    expect(audited.rows.map((r) => r.member_ids[0]).sort()).toEqual(['M-G1', 'M-G1', 'M-G2', 'M-G3']);
    expect(audited.rows[0]!.detail).toEqual({ inline: false });
  });

  it('for one date, an earlier-made score written late never replaces the listed later one', async () => {
    const db = getDb();
    const store = new SharedScoreStore(db);
    const listed = async () =>
      (await db.query<{ risk_class: string; as_of: string }>(`SELECT risk_class, as_of FROM member_latest_score WHERE member_id = 'M-L1'`)).rows[0];
    await store.store(storedRow(fakeScore('M-L1', '2026-03-01', 'mild', 0.1), 'I-1'), true, audit('M-L1'));
    const sequence = `pg_get_serial_sequence('score_result', 'score_id')`;
    const made = (await db.query<{ id: number }>(`SELECT max(score_id)::int AS id FROM score_result`)).rows[0]!.id;
    // A score given a higher id (made later) is listed ...
    await db.query(`SELECT setval(${sequence}, $1)`, [made + 1000]);
    await store.store(storedRow(fakeScore('M-L1', '2026-03-01', 'severe', 0.9), 'I-1'), true, audit('M-L1'));
    expect(await listed()).toEqual({ risk_class: 'severe', as_of: '2026-03-01' });
    // ... and one with a lower id for the same date (a long job's, made before it) does not replace it.
    await db.query(`SELECT setval(${sequence}, $1)`, [made + 10]);
    await store.store(storedRow(fakeScore('M-L1', '2026-03-01', 'healthy', 0.01), 'I-1'), true, audit('M-L1'));
    expect(await listed()).toEqual({ risk_class: 'severe', as_of: '2026-03-01' });
    // A later date still replaces it, whatever its id.
    await store.store(storedRow(fakeScore('M-L1', '2026-04-01', 'moderate', 0.3), 'I-1'), true, audit('M-L1'));
    expect(await listed()).toEqual({ risk_class: 'moderate', as_of: '2026-04-01' });
  });
});
