/**
 * `stratum performance --period 2026|2026Q2 [--out DIR]`: compute the institutions' O1/O2/P1/P2 with
 * risk adjustment, and for a year the P4P statements, from every member in the store, keep the run
 * (migrations 006, 008), print the ranked table and write the HTML report
 * `<out>/performance-<period>.html`. A quarter is its rolling twelve months, for monitoring: no
 * statements (money is yearly). I/O lives here; the figures come from src/performance.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.ts';
import type { Policy } from '../../config/policy.ts';
import { defaultPolicy, parsePolicy } from '../../config/policy.ts';
import { parsePeriod, PERIOD_PATTERN, PERIOD_RULE } from '../../performance/attribution.ts';
import { renderPerformanceReport } from '../../performance/report/html.ts';
import type { PerformanceRunResult } from '../../performance/report/performance-run.ts';
import { rankedRows, unpricedCapitationWarning } from '../../performance/report/performance-run.ts';
import { computeAndStoreRun } from '../../performance/report/run-store.ts';
import { progressBar } from '../progress.ts';
import { openMigratedStore } from './db.ts';

async function loadPolicyFromEnv(): Promise<Policy> {
  const file = loadEnv().STRATUM_POLICY_FILE;
  return file ? parsePolicy(JSON.parse(await readFile(file, 'utf8')) as unknown) : defaultPolicy();
}

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

/** The ranked table as fixed-width text lines. */
export function rankedTableText(run: Pick<PerformanceRunResult, 'institutions'>): string[] {
  const header = ['rank', 'institution', 'level', 'O1 raw', 'O1 RSR', 'O2 raw', 'O2 RSR', 'P1', 'P2', 'composite', 'bonus', 'deduction', 'coef'];
  const rows = rankedRows(run).map((r) => [
    r.rank === null ? '-' : `${r.rank}/${r.of}`,
    r.institutionId,
    r.level,
    pct(r.O1.raw),
    pct(r.O1.riskStandardised),
    pct(r.O2.raw),
    pct(r.O2.riskStandardised),
    pct(r.P1.rate),
    pct(r.P2.rate),
    r.composite ?? '-',
    r.bonus ?? '-',
    r.deduction ?? '-',
    r.coefficient === null ? '-' : r.coefficient.toFixed(2),
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) => cells.map((c, k) => (k <= 2 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

export function register(program: Command): void {
  program
    .command('performance')
    .description('Compute and store the institutions’ O1/O2/P1/P2 (risk-adjusted) and, for a year, the P4P statements; print the ranked table and write an HTML report')
    .requiredOption('--period <period>', 'a year, e.g. 2026 (statements), or a quarter, e.g. 2026Q2 (its rolling twelve months, for monitoring: no statements)')
    .option('--out <dir>', 'folder of the HTML report (default: reports/ under STRATUM_DATA_DIR, ./var/reports)')
    .option('--issued-on <date>', 'statements’ issue date (YYYY-MM-DD; default today)')
    .option('--replicates <n>', 'bootstrap replicates per institution for the RSR interval', '200')
    .addHelpText(
      'after',
      `
Reads every member of the store (PGlite under STRATUM_DATA_DIR, or DATABASE_URL). Capitation
payments come from stored risk adjustments of the year (none stored: 0.00, so no deduction);
the previous composite from the latest stored run of the year before. A quarter (2026Q2: the
twelve months 2025-07-01 to 2026-06-30) reports the rates only: P4P money is yearly. The run is
stored append-only (performance_run); the API serves the latest run of a period.`,
    )
    .action(async (opts: { period: string; out?: string; issuedOn?: string; replicates: string }) => {
      if (!PERIOD_PATTERN.test(opts.period)) throw new Error(`--period: ${PERIOD_RULE} (got '${opts.period}')`);
      const period = parsePeriod(opts.period);
      if (opts.issuedOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.issuedOn)) throw new Error(`--issued-on must be YYYY-MM-DD (got '${opts.issuedOn}')`);
      const replicates = Number(opts.replicates);
      if (!Number.isInteger(replicates) || replicates < 0) throw new Error(`--replicates must be a whole number (got '${opts.replicates}')`);
      const policy = await loadPolicyFromEnv();
      const store = await openMigratedStore();
      const bar = progressBar('members', 0, 'members');
      try {
        const run = await computeAndStoreRun(store, {
          period,
          policy,
          issuedOn: opts.issuedOn ?? new Date().toISOString().slice(0, 10),
          createdBy: `cli:${os.userInfo().username}`,
          adjustment: { bootstrapReplicates: replicates },
          onProgress: (done, total) => {
            bar.setTotal(total);
            bar.update(done);
          },
        });
        bar.stop();
        console.log(
          `performance run ${run.runId} for ${period.label} (${period.startDay} to ${period.endDay}): ${run.memberCount} members, ${run.result.institutions.length} institutions, fingerprint ${run.inputsFingerprint.slice(0, 16)}`,
        );
        for (const line of rankedTableText(run.result)) console.log(line);
        if (run.result.statementsNote !== null) console.log(`no statements: ${run.result.statementsNote}`);
        const unpriced = unpricedCapitationWarning(run.result);
        if (unpriced !== null) console.warn(`warning: ${unpriced}`);
        const out = opts.out ?? path.join(loadEnv().STRATUM_DATA_DIR, 'reports');
        const file = path.join(out, `performance-${opts.period}.html`);
        await mkdir(out, { recursive: true });
        await writeFile(file, renderPerformanceReport(run.result, run));
        console.log(`report: ${file}`);
      } finally {
        bar.stop();
        await store.close();
      }
    });
}
