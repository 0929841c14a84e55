/** Audit rows land in the append-only audit_log on both engines; batching loses nothing on close. */
import { expect, it } from 'vitest';
import { AuditTrail, AuditTrailClosedError, audit } from '../../src/api/audit.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { KEYS, postJson, startApp } from './harness.ts';

interface Row {
  actor: string;
  role: string;
  action: string;
  resource: string;
  member_ids: string[];
  detail: Record<string, unknown>;
}

describeEachEngine('audit', (getDb) => {
  const principal = { id: 'k-admin', role: 'admin' as const };

  it('writes one row with member ids and detail', async () => {
    const db = getDb();
    await audit(db, { principal, action: 'score.read', resource: 'institution/INST-A/scores', memberIds: ['M1', 'M2'], detail: { count: 2 } });
    const { rows } = await db.query<Row>("SELECT actor, role, action, resource, member_ids, detail FROM audit_log WHERE action = 'score.read'");
    expect(rows).toEqual([{ actor: 'k-admin', role: 'admin', action: 'score.read', resource: 'institution/INST-A/scores', member_ids: ['M1', 'M2'], detail: { count: 2 } }]);
  });

  it('refuses UPDATE and DELETE (append-only)', async () => {
    const db = getDb();
    await expect(db.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('batches concurrent records into few statements and flushes what waits on close', async () => {
    const db = getDb();
    const trail = new AuditTrail(db, { maxBatch: 50, flushDelayMs: 60_000 });
    const writes = Array.from({ length: 120 }, (_, i) => trail.record({ principal, action: 'batch.test', resource: `r/${i}`, memberIds: [`M${i}`] }));
    // 100 go out in two full batches; 20 wait on the (long) timer until close() flushes them.
    await trail.close();
    await Promise.all(writes);
    const { rows } = await db.query<{ n: number; ordered: boolean }>("SELECT count(*) AS n FROM audit_log WHERE action = 'batch.test'");
    expect(rows[0]?.n).toBe(120);
    await expect(trail.record({ principal, action: 'late', resource: 'r' })).rejects.toBeInstanceOf(AuditTrailClosedError);
  });

  it('a route audits through the app with the caller as actor', async () => {
    const db = getDb();
    const trail = new AuditTrail(db);
    const app = await startApp({ db, auditTrail: trail });
    try {
      const res = await postJson(app.baseUrl, '/v1/test/audited', JSON.stringify({ memberIds: ['M-9', 'M-10'] }), KEYS.clinicA);
      expect(res).toMatchObject({ status: 200, body: { count: 2 } });
    } finally {
      await app.close();
      await trail.close();
    }
    const { rows } = await db.query<Row>("SELECT actor, role, member_ids FROM audit_log WHERE action = 'test.read'");
    expect(rows).toEqual([{ actor: 'k-clinic-a', role: 'clinic', member_ids: ['M-9', 'M-10'] }]);
  });
});
