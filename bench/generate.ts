/**
 * Population generator throughput: 1,000,000 members (~44M rows, ~4.5 GB of CSV) must be written
 * in < 60 s with peak memory < 1 GiB (Stratum issue 2, item 3); 50,000 members when quick. The
 * worker threads are threads of this process, so the process's peak RSS covers them: it is read
 * from the kernel's high-water mark (VmHWM, reset first through /proc/self/clear_refs) where Linux
 * offers it, and sampled every 100 ms as well. The load average is noted beside the figures
 * because the development machine is shared.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_THREADS, writePopulation } from '../src/generator/population-files.ts';
import type { BenchRun } from './types.ts';

/** Reset the kernel's peak-RSS mark for this process ("5" = reset VmHWM); false where unsupported. */
async function resetKernelPeak(): Promise<boolean> {
  try {
    await writeFile('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The kernel's peak RSS of this process (all threads), in bytes; undefined where unsupported. */
async function kernelPeak(): Promise<number | undefined> {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(await readFile('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const run: BenchRun = async ({ quick }) => {
  const members = quick ? 50_000 : 1_000_000;
  const threads = DEFAULT_THREADS;
  const dir = await mkdtemp(path.join(tmpdir(), 'stratum-bench-gen-'));
  const kernel = await resetKernelPeak();
  let sampledPeak = process.memoryUsage().rss;
  const sample = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 100);
  const loadBefore = loadavg()[0]!;
  try {
    const summary = await writePopulation({ members, seed: 42, defectRate: 0.002, startYear: 2022, endYear: 2026 }, dir, {
      threads,
      onProgress: () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)),
    });
    const seconds = summary.elapsedMs / 1000;
    const peak = Math.max(sampledPeak, (kernel ? await kernelPeak() : undefined) ?? 0);
    const label = `generate ${members.toLocaleString('en')} members`;
    const conditions = `${threads} thread${threads === 1 ? '' : 's'}; 1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`;
    return [
      { name: `${label}: elapsed`, value: seconds, unit: 's', target: (members / 1_000_000) * 60, higherIsBetter: false, note: conditions },
      { name: `${label}: members/s`, value: members / seconds, unit: 'members/s', target: 1_000_000 / 60, higherIsBetter: true },
      {
        name: `${label}: rows/s`,
        value: summary.totalRows / seconds,
        unit: 'rows/s',
        higherIsBetter: true,
        note: `${summary.totalRows.toLocaleString('en')} data rows, ${(summary.totalRows / members).toFixed(1)} per member`,
      },
      {
        name: `${label}: peak RSS`,
        value: peak / 2 ** 20,
        unit: 'MiB',
        target: 1024,
        higherIsBetter: false,
        note: kernel ? 'kernel high-water mark of the process, worker threads included' : 'sampled every 100 ms (no /proc here), worker threads included',
      },
    ];
  } finally {
    clearInterval(sample);
    await rm(dir, { recursive: true, force: true });
  }
};
