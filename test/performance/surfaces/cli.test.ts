/**
 * `stratum performance` spawned as a user would run it, against a PGlite store under a temp
 * STRATUM_DATA_DIR holding a generated ~2,000-member population: it stores the run, prints the
 * ranked table and writes the HTML report with the funnel plots and the table.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { loadPopulation } from '../../../src/ingest/loader.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { migrate } from '../../../src/store/migrate.ts';
import { generatePopulation } from './population.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'stratum-perfsurf-var-'));
const out = path.join(dataDir, 'reports');
let institutions: string[] = [];

beforeAll(async () => {
  const population = generatePopulation();
  const db = await openDatabase({ dataDir });
  try {
    await migrate(db);
    await loadPopulation(db, { from: population });
    institutions = (await db.query<{ institution_id: string }>(`SELECT institution_id FROM institution ORDER BY 1`)).rows.map((r) => r.institution_id);
  } finally {
    await db.close();
  }
}, 120_000);

it('stratum performance stores a run, prints the ranked table and writes the report', async () => {
  const { DATABASE_URL: _pg, ...env } = process.env;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['src/cli/bin.mjs', 'performance', '--period', '2026', '--out', out, '--issued-on', '2027-01-15', '--replicates', '10'],
    { env: { ...env, STRATUM_DATA_DIR: dataDir } },
  );
  expect(stdout).toMatch(/performance run perf-[0-9a-f-]{36} for 2026: 2000 members, \d+ institutions/);
  expect(stdout).toMatch(/rank\s+institution\s+level\s+O1 raw\s+O1 RSR/);
  for (const id of institutions) expect(stdout).toContain(id);
  const html = readFileSync(path.join(out, 'performance-2026.html'), 'utf8');
  expect(html.match(/<svg class="funnel"/g)).toHaveLength(2);
  expect(html).toContain('95% limits');
  expect(html).toContain('<table class="ranked">');
  for (const id of institutions) expect(html).toContain(`<td>${id}</td>`);
  expect(html).not.toMatch(/<(script|link)\b|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

  const db = await openDatabase({ dataDir });
  try {
    const runs = await db.query<{ period: number; member_count: number; n: number }>(`SELECT period, member_count, jsonb_array_length(institutions) AS n FROM performance_run`);
    expect(runs.rows).toEqual([{ period: 2026, member_count: 2000, n: institutions.length }]);
  } finally {
    await db.close();
  }
}, 120_000);
