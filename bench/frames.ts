/**
 * Data frames for training (Stratum issue 2, item 5): the chosen approach (DuckDB through
 * src/frames) loading member + observation CSVs and computing the representative feature query
 * and matrix, against the runner-up (plain TypeScript on typed arrays) as baseline. 100,000
 * members when `quick`, 1,000,000 otherwise; synthetic files from bench/frames/synth.ts under
 * the OS temp folder, removed afterwards. Each candidate runs in its own process so its peak
 * RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult, BenchRun } from './types.ts';
import type { CandidateRun } from './frames/spec.ts';
import { writeSyntheticPopulation } from './frames/synth.ts';

const MEASURE = join(import.meta.dirname, 'frames', 'measure.ts');

function measureInChild(candidate: string, dir: string): CandidateRun {
  const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
  const out = execFileSync(existsSync(tsx) ? tsx : 'npx', existsSync(tsx) ? [MEASURE, candidate, dir] : ['tsx', MEASURE, candidate, dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as CandidateRun;
}

export const run: BenchRun = async ({ quick }) => {
  const members = quick ? 100_000 : 1_000_000;
  const label = members.toLocaleString('en-US');
  const dir = mkdtempSync(join(tmpdir(), 'stratum-frames-bench-'));
  try {
    const synth = writeSyntheticPopulation(dir, members);
    const chosen = measureInChild('duckdb', dir);
    const baseline = measureInChild('plain', dir);
    const rows = synth.members + synth.observations;
    const agree = chosen.fingerprint === baseline.fingerprint;
    const note = `${synth.observations.toLocaleString('en-US')} observation rows, ${(synth.bytes / 1e9).toFixed(2)} GB CSV; matrices ${agree ? 'agree' : 'DIFFER'}`;
    const results: BenchResult[] = [
      {
        name: `frames: load CSV, ${label} members (rows/s)`,
        value: Math.round(rows / (chosen.loadMs / 1000)),
        unit: 'rows/s',
        higherIsBetter: true,
        baseline: { label: 'plain TypeScript', value: Math.round(rows / (baseline.loadMs / 1000)) },
        note,
      },
      {
        name: `frames: feature query + matrix, ${label} members (ms)`,
        value: Math.round(chosen.queryMs + chosen.matrixMs),
        unit: 'ms',
        higherIsBetter: false,
        baseline: { label: 'plain TypeScript', value: Math.round(baseline.queryMs + baseline.matrixMs) },
      },
      {
        name: `frames: peak RSS, ${label} members (MB)`,
        value: Math.round(chosen.peakRssMb),
        unit: 'MB',
        higherIsBetter: false,
        baseline: { label: 'plain TypeScript', value: Math.round(baseline.peakRssMb) },
      },
    ];
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
