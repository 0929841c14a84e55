/**
 * `stratum performance` spawned as a user would run it, against a store holding a generated
 * ~2,000-member population: on PGlite under a temp STRATUM_DATA_DIR, and on the local PostgreSQL
 * (DATABASE_URL naming a fresh schema). A year stores the run with its statements, prints the
 * ranked table and writes the HTML report; a quarter (2026Q2) stores a monitoring run over its
 * rolling twelve months and says there are no statements; a bad period is refused before any work.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPopulation } from '../../../src/ingest/loader.ts';
import { QUARTER_STATEMENTS_NOTE } from '../../../src/performance/report/performance-run.ts';
import type { Database } from '../../../src/store/database.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { migrate } from '../../../src/store/migrate.ts';
import { postgresAvailable, TEST_PG_URL } from '../../helpers/engines.ts';
import { generatePopulation } from './population.ts';

const population = generatePopulation();
const { DATABASE_URL: _pg, STRATUM_DATA_DIR: _dir, ...baseEnv } = process.env;

/** Run `stratum performance` with the store named by `storeEnv`. */
async function stratumPerformance(storeEnv: Record<string, string>, args: string[]) {
  return promisify(execFile)(process.execPath, ['src/cli/bin.mjs', 'performance', ...args], { env: { ...baseEnv, ...storeEnv } });
}

/** The same checks on either engine; `open` opens the store the CLI used. */
function cliSuite(name: string, setup: () => Promise<{ storeEnv: Record<string, string>; open: () => Promise<Database>; close?: () => Promise<void> }>) {
  describe(name, () => {
    let storeEnv: Record<string, string>;
    let open: () => Promise<Database>;
    let close: (() => Promise<void>) | undefined;
    let institutions: string[] = [];
    const out = mkdtempSync(path.join(tmpdir(), 'stratum-perfsurf-out-'));

    beforeAll(async () => {
      ({ storeEnv, open, close } = await setup());
      const db = await open();
      try {
        await migrate(db);
        await loadPopulation(db, { from: population });
        institutions = (await db.query<{ institution_id: string }>(`SELECT institution_id FROM institution ORDER BY 1`)).rows.map((r) => r.institution_id);
      } finally {
        await db.close();
      }
    }, 180_000);

    afterAll(async () => {
      await close?.();
    });

    const storedRuns = async () => {
      const db = await open();
      try {
        return (await db.query<{ period: string; member_count: number; n: number }>(`SELECT period, member_count, jsonb_array_length(institutions) AS n FROM performance_run ORDER BY created_at`)).rows;
      } finally {
        await db.close();
      }
    };

    it('a year: stores a run, prints the ranked table and writes the report', async () => {
      const { stdout, stderr } = await stratumPerformance(storeEnv, ['--period', '2026', '--out', out, '--issued-on', '2027-01-15', '--replicates', '10']);
      expect(stdout).toMatch(/performance run perf-[0-9a-f-]{36} for 2026 \(2026-01-01 to 2026-12-31\): 2000 members, \d+ institutions/);
      // Nothing priced the year yet, so the zero bonuses are explained.
      expect(stderr).toContain('warning: No institution has a stored risk adjustment for 2026');
      expect(stdout).toMatch(/rank\s+institution\s+level\s+O1 raw\s+O1 RSR/);
      expect(stdout).not.toContain('no statements');
      for (const id of institutions) expect(stdout).toContain(id);
      const html = readFileSync(path.join(out, 'performance-2026.html'), 'utf8');
      expect(html.match(/<svg class="funnel"/g)).toHaveLength(2);
      expect(html).toContain('95% limits');
      expect(html).toContain('<table class="ranked">');
      expect(html).toContain('statements issued 2027-01-15');
      for (const id of institutions) expect(html).toContain(`<td>${id}</td>`);
      expect(html).not.toMatch(/<(script|link)\b|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(await storedRuns()).toEqual([{ period: '2026', member_count: 2000, n: institutions.length }]);
    }, 120_000);

    it('a quarter: stores a monitoring run over the rolling twelve months, with no statements', async () => {
      // Without --out the report goes under the data folder.
      const env = { STRATUM_DATA_DIR: path.join(out, 'data-dir'), ...storeEnv };
      const { stdout } = await stratumPerformance(env, ['--period', '2026Q2', '--replicates', '10']);
      expect(stdout).toMatch(/performance run perf-[0-9a-f-]{36} for 2026Q2 \(2025-07-01 to 2026-06-30\): 2000 members, \d+ institutions/);
      expect(stdout).toContain(`no statements: ${QUARTER_STATEMENTS_NOTE}`);
      for (const id of institutions) expect(stdout).toContain(id);
      const html = readFileSync(path.join(env.STRATUM_DATA_DIR, 'reports', 'performance-2026Q2.html'), 'utf8');
      expect(html).toContain('quarter 2026Q2 (rolling twelve months 2025-07-01 to 2026-06-30)');
      expect(html).toContain(`No P4P statements: ${QUARTER_STATEMENTS_NOTE}.`);
      expect(html.match(/<svg class="funnel"/g)).toHaveLength(2);
      expect((await storedRuns()).map((r) => r.period)).toEqual(['2026', '2026Q2']);
    }, 120_000);

    it('a bad period is refused, naming the option and the rule, and stores nothing', async () => {
      for (const bad of ['2026Q5', '26', '2026-Q1']) {
        const failed = await stratumPerformance(storeEnv, ['--period', bad, '--out', out]).then(
          () => null,
          (error: unknown) => error as { code: number; stderr: string },
        );
        expect(failed?.code, bad).toBe(1);
        expect(failed?.stderr).toContain(`stratum: --period: period must be a year YYYY (1900-9999, e.g. 2026) or a quarter YYYYQn with n 1-4 (e.g. 2026Q2) (got '${bad}')`);
      }
      expect(await storedRuns()).toHaveLength(2);
    }, 60_000);
  });
}

cliSuite('stratum performance [pglite]', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratum-perfsurf-var-'));
  return { storeEnv: { STRATUM_DATA_DIR: dataDir }, open: () => openDatabase({ dataDir }) };
});

describe.skipIf(!postgresAvailable)('on PostgreSQL', () => {
  // A fresh schema, named to the CLI through the connection string's search_path option.
  const schema = `stratum_test_${randomUUID().replace(/-/g, '')}`;
  const url = new URL(TEST_PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  cliSuite('stratum performance [postgres]', async () => {
    const admin = await openDatabase({ databaseUrl: TEST_PG_URL });
    try {
      await admin.exec(`CREATE SCHEMA ${schema}`);
    } finally {
      await admin.close();
    }
    return {
      storeEnv: { DATABASE_URL: url.toString() },
      open: () => openDatabase({ databaseUrl: TEST_PG_URL, searchPath: schema }),
      close: async () => {
        const admin = await openDatabase({ databaseUrl: TEST_PG_URL });
        try {
          await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await admin.close();
        }
      },
    };
  });
});
