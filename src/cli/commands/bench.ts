/**
 * `stratum bench` (`npm run bench`): runs every `bench/<area>.ts` module and prints each figure
 * with its target and the ratio to it, so speed and memory targets are shown by measurement.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { BenchResult, BenchRun } from '../../../bench/types.ts';

const BENCH_DIR = path.resolve(import.meta.dirname, '../../../bench');

/** How far a figure is from its target: > 1 means the target is met, whichever way is better. */
export function ratioToTarget(r: BenchResult): number | undefined {
  if (r.target === undefined || r.value === 0) return undefined;
  return r.higherIsBetter ? r.value / r.target : r.target / r.value;
}

function fmt(n: number): string {
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toPrecision(3);
}

export function formatResult(area: string, r: BenchResult): string {
  const ratio = ratioToTarget(r);
  const target = r.target === undefined ? '' : ` | target ${r.higherIsBetter ? '>=' : '<='} ${fmt(r.target)} ${r.unit} | ratio ${ratio!.toFixed(2)}x ${ratio! >= 1 ? 'MET' : 'MISSED'}`;
  const baseline = r.baseline ? ` | ${r.baseline.label}: ${fmt(r.baseline.value)} ${r.unit} (${(r.higherIsBetter ? r.value / r.baseline.value : r.baseline.value / r.value).toFixed(1)}x)` : '';
  return `[${area}] ${r.name}: ${fmt(r.value)} ${r.unit}${target}${baseline}${r.note ? ` | ${r.note}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Run the benchmarks in bench/ and print each figure, its target and the ratio to it (full sizes take minutes)')
    .option('--quick', 'smaller sizes, for a smoke run', false)
    .option('--only <areas>', 'comma-separated bench areas, e.g. generate,load')
    .action(async (opts: { quick: boolean; only?: string }) => {
      const only = opts.only?.split(',').map((s) => s.trim());
      const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith('.ts') && f !== 'types.ts').sort();
      let failures = 0;
      for (const file of files) {
        const area = file.replace(/\.ts$/, '');
        if (only && !only.includes(area)) continue;
        const mod = (await import(pathToFileURL(path.join(BENCH_DIR, file)).href)) as { run?: BenchRun };
        if (typeof mod.run !== 'function') continue;
        console.error(`running ${area}${opts.quick ? ' (quick)' : ''} ...`);
        try {
          for (const r of await mod.run({ quick: opts.quick })) console.log(formatResult(area, r));
        } catch (err) {
          failures++;
          console.log(`[${area}] FAILED: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (failures) process.exitCode = 1;
    });
}
