/**
 * Migration 008 on both engines: performance runs stored while the period was an integer year
 * (migration 006) stay readable as years after the period becomes a text label that also holds
 * quarters; a label of any other form is refused by the database; the table stays append-only.
 */
import { copyFile, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { latestRun } from '../../../src/performance/report/run-store.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../../src/store/migrate.ts';
import { describeEachEngine } from '../../helpers/engines.ts';

/** A folder holding Stratum's migrations up to and including `last`. */
async function migrationsUpTo(last: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stratum-migrations-'));
  for (const file of await readdir(DEFAULT_MIGRATIONS_DIR)) if (file.endsWith('.sql') && Number(file.slice(0, 3)) <= last) await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(dir, file));
  return dir;
}

/** A run's summary as 006-era code stored it: no period fields. */
const OLD_SUMMARY = {
  period: '2025',
  issuedOn: '2026-01-20',
  overallRates: { O1: 0.41, O2: 0.38 },
  models: { O1: null, O2: null },
  unattributed: {},
  unknownInstitutions: [],
  capitationSpending: '1000.00',
};

describeEachEngine(
  'performance_run period as text (migration 008)',
  (getDb) => {
    beforeAll(async () => {
      const db = getDb();
      await migrate(db, { dir: await migrationsUpTo(7) });
      await db.query(
        `INSERT INTO performance_run (run_id, period, created_by, inputs_fingerprint, member_count, summary, institutions) VALUES ('perf-old', 2025, 'cli:test', 'f', 10, $1::jsonb, '[]'::jsonb)`,
        [JSON.stringify(OLD_SUMMARY)],
      );
      const report = await migrate(db);
      expect(report.applied).toContain('008_performance_quarters.sql');
    });

    it('a year run stored as an integer reads back as that year, with its period fields filled', async () => {
      const db = getDb();
      const type = await db.query<{ data_type: string }>(`SELECT data_type FROM information_schema.columns WHERE table_name = 'performance_run' AND column_name = 'period' AND table_schema = current_schema()`);
      expect(type.rows).toEqual([{ data_type: 'text' }]);
      const run = await latestRun(db, '2025');
      expect(run).toMatchObject({ runId: 'perf-old', period: '2025', memberCount: 10 });
      expect(run!.result).toEqual({ ...OLD_SUMMARY, periodKind: 'year', periodStart: '2025-01-01', periodEnd: '2025-12-31', statementsNote: null, institutions: [] });
      expect(await latestRun(db, '2025Q4')).toBeNull();
    });

    it('holds quarter labels, refuses any other form, and stays append-only', async () => {
      const db = getDb();
      const insert = (id: string, period: string) =>
        db.query(`INSERT INTO performance_run (run_id, period, created_by, inputs_fingerprint, member_count, summary, institutions) VALUES ($1, $2, 'cli:test', 'f', 0, '{}'::jsonb, '[]'::jsonb)`, [id, period]);
      await insert('perf-q', '2026Q2');
      for (const bad of ['2026Q5', '26', '2026-Q1']) await expect(insert(`perf-${bad}`, bad)).rejects.toThrow(/performance_run_period_label/);
      await expect(db.query(`UPDATE performance_run SET period = '2024' WHERE run_id = 'perf-old'`)).rejects.toThrow(/append-only/);
      const periods = await db.query<{ period: string }>(`SELECT period FROM performance_run ORDER BY period`);
      expect(periods.rows.map((r) => r.period)).toEqual(['2025', '2026Q2']);
    });
  },
  { migrate: false },
);
