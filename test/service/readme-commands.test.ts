/**
 * Issue 4: "the README shows a curl for each endpoint that works as printed". The README's API
 * block is run by bash, as printed, against the real service: `serve()` on an empty embedded
 * store, seeding itself with a small generated population and scoring it in the background, just
 * as `npm start` does with the default 50,000 members. The only edits are the address (an
 * ephemeral port instead of 8080) and a `curl` wrapper that reports each call's HTTP status on
 * stderr, so every call can be checked for a 2xx and none can fail unnoticed inside a pipe.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { serve, type RunningService } from '../../src/service/server.ts';
import { openDatabase } from '../../src/store/database.ts';

const run = promisify(execFile);
const README = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
const MEMBERS = 1_500;

/** The shell block of the README's API tour: the one that starts with the demo keys. */
function apiBlock(): string {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.includes('demo-keys.json') && b.includes('/v1/score'));
  if (!block) throw new Error('README has no shell block with the API tour');
  return block;
}

/** Every curl command the block contains (a command continued with `\` counts once). */
function callsIn(block: string): string[] {
  return [...block.matchAll(/\bcurl\b[^\n]*(?:\\\n[^\n]*)*/g)].map((m) => m[0]);
}

describe('the README API tour, run as printed', () => {
  let service: RunningService;
  let work: string;
  let stdout = '';
  let statuses: { status: number; url: string }[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'stratum-readme-'));
    const dataDir = path.join(work, 'data');
    // The README reads ./var/demo-keys.json: the working folder's var is the service's data folder.
    symlinkSync(dataDir, path.join(work, 'var'));
    const env = loadEnv({ STRATUM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    service = await serve(await openDatabase({}), { env, members: MEMBERS, port: 0, today: () => '2026-06-30', logger: pino({ level: 'silent' }) });
    await service.seeded;
    // Let the start-up scoring job finish, so the clinic lists have members on them.
    for (let i = 0; i < 600; i++) {
      const jobs = await service.db.query<{ status: string }>(`SELECT status FROM score_job`);
      if (jobs.rows.length > 0 && jobs.rows.every((j) => j.status === 'done')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const script = [
      'set -e',
      // -w with %{stderr}: the status line goes to stderr, the body stays where the README sends it.
      `curl() { command curl -w '%{stderr}HTTP %{http_code} %{url}\\n' "$@"; }`,
      apiBlock().replaceAll('http://127.0.0.1:8080', service.url),
    ].join('\n');
    const result = await run('bash', ['-c', script], { cwd: work, maxBuffer: 64 * 1024 * 1024 });
    stdout = result.stdout;
    statuses = [...result.stderr.matchAll(/^HTTP (\d{3}) (\S+)$/gm)].map((m) => ({ status: Number(m[1]), url: m[2]! }));
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('makes every call the block shows, and every one answers 2xx', () => {
    expect(statuses.length).toBe(callsIn(apiBlock()).length);
    for (const s of statuses) expect(s.status, s.url).toBeGreaterThanOrEqual(200);
    for (const s of statuses) expect(s.status, s.url).toBeLessThan(300);
  });

  it('covers every route the service publishes', async () => {
    const spec = (await (await fetch(`${service.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const called = statuses.map((s) => new URL(s.url).pathname);
    for (const route of Object.keys(spec.paths)) {
      const pattern = new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      expect(
        called.some((p) => pattern.test(p)),
        `README shows no curl for ${route}`,
      ).toBe(true);
    }
  });

  it('prices a clinic panel for the settlement engine: classes as of 1 January are scored on demand', async () => {
    expect(stdout).toMatch(/"totals":\{"members":[1-9]\d*,/);
    const missing = await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM risk_adjustment_problem WHERE code = 'RISK_CLASS_MISSING'`);
    expect(missing.rows[0]!.n).toBe(0);
    const classes = await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM score_result WHERE as_of = DATE '2026-01-01'`);
    expect(classes.rows[0]!.n).toBeGreaterThan(0);
  });

  it('shows real answers: a scored member, a clinic list, metrics', () => {
    expect(stdout).toContain('"status":"ok"');
    expect(stdout).toMatch(/"riskClass":"(healthy|high-risk|mild|moderate|severe)"/);
    expect(stdout).toContain('member_id,');
    expect(stdout).toContain('# TYPE');
  });
});
