/**
 * Population generator throughput: 1,000,000 members (~50M rows) must be written in < 60 s with
 * peak memory < 1 GiB (Stratum issue 2, item 3); 50,000 members when quick.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePopulation } from '../src/generator/population-files.ts';
import type { BenchRun } from './types.ts';

export const run: BenchRun = async ({ quick }) => {
  const members = quick ? 50_000 : 1_000_000;
  const dir = await mkdtemp(path.join(tmpdir(), 'stratum-bench-gen-'));
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const summary = await writePopulation({ members, seed: 42, defectRate: 0.002, startYear: 2022, endYear: 2026 }, dir, () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    });
    const seconds = summary.elapsedMs / 1000;
    const label = `generate ${members.toLocaleString('en')} members`;
    return [
      { name: `${label}: elapsed`, value: seconds, unit: 's', target: quick ? 3 : 60, higherIsBetter: false },
      { name: `${label}: members/s`, value: members / seconds, unit: 'members/s', target: 1_000_000 / 60, higherIsBetter: true },
      { name: `${label}: rows/s`, value: summary.totalRows / seconds, unit: 'rows/s', higherIsBetter: true, note: `${summary.totalRows.toLocaleString('en')} rows` },
      { name: `${label}: peak RSS`, value: peakRss / 2 ** 20, unit: 'MiB', target: 1024, higherIsBetter: false },
    ];
  } finally {
    clearInterval(sample);
    await rm(dir, { recursive: true, force: true });
  }
};
