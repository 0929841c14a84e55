/** `stratum generate`: write a synthetic population (CSV per entity) and its ground truth. */
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_THREADS, writePopulation } from '../../generator/population-files.ts';
import { DEFAULT_POPULATION_OPTIONS, GeneratorOptionsError } from '../../generator/population.ts';

const whole = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new GeneratorOptionsError(`${name} must be a whole number, got "${v}"`);
  return n;
};
const share = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new GeneratorOptionsError(`defect rate must be a number, got "${v}"`);
  return n;
};

export function register(program: Command): void {
  program
    .command('generate')
    .description('Generate a synthetic adult population (one CSV per contract entity) with ground truth under <out>/truth/')
    .option('--members <n>', 'number of members', whole('members'), DEFAULT_POPULATION_OPTIONS.members)
    .option('--seed <s>', 'random seed (same seed, same bytes)', whole('seed'), DEFAULT_POPULATION_OPTIONS.seed)
    .option('--out <dir>', 'output folder', path.join('var', 'population'))
    .option(
      '--defect-rate <r>',
      'share of rows given an injected defect; 0 (clean data) unless given. The default population (`npm start`) is generated with --defect-rate 0.002',
      share,
      DEFAULT_POPULATION_OPTIONS.defectRate,
    )
    .option('--start-year <y>', 'first calendar year', whole('start year'), DEFAULT_POPULATION_OPTIONS.startYear)
    .option('--end-year <y>', 'last calendar year', whole('end year'), DEFAULT_POPULATION_OPTIONS.endYear)
    .option(
      '--threads <n>',
      'worker threads simulating members (1 = no workers; default: the cores available, at most 4, each worker taking ~125 MB); the output bytes are the same for any count',
      whole('threads'),
      DEFAULT_THREADS,
    )
    .action(async (opts: { members: number; seed: number; out: string; defectRate: number; startYear: number; endYear: number; threads: number }) => {
      const options = { members: opts.members, seed: opts.seed, defectRate: opts.defectRate, startYear: opts.startYear, endYear: opts.endYear };
      const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'generate [{bar}] {percentage}% | {value}/{total} members | {eta}s left' }, Presets.shades_classic) : null;
      bar?.start(options.members, 0);
      const summary = await writePopulation(options, opts.out, { threads: opts.threads, onProgress: (done) => bar?.update(done) }).finally(() => bar?.stop());
      const seconds = summary.elapsedMs / 1000;
      console.log(`wrote ${options.members} members to ${opts.out} in ${seconds.toFixed(1)} s with ${opts.threads} thread${opts.threads === 1 ? '' : 's'} (${Math.round(summary.totalRows / seconds).toLocaleString('en')} rows/s)`);
      for (const [file, rows] of Object.entries(summary.manifest.row_counts)) console.log(`  ${file.padEnd(26)} ${rows.toLocaleString('en').padStart(14)}`);
      const defects = Object.entries(summary.manifest.defect_counts).filter(([, n]) => n > 0);
      if (defects.length) console.log(`  defects: ${defects.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    });
}
