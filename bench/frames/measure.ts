/**
 * Measures one candidate in its own process (so peak memory is that candidate's alone):
 * `npx tsx bench/frames/measure.ts <duckdb|plain|arquero> <dir>` prints one JSON CandidateRun.
 * Peak RSS is the kernel's high-water mark (VmHWM), which also sees time spent in synchronous
 * loops and native threads that a JS timer sampling process.memoryUsage() would miss.
 */
import { readFileSync } from 'node:fs';
import { openFrames } from '../../src/frames/index.ts';
import { loadArquero, matrixArquero, queryArquero } from './arquero.ts';
import { loadPlain, matrixPlain, queryPlain } from './plain.ts';
import { AS_OF, BENCH_SPEC, fingerprint, WINDOW_START, type CandidateRun } from './spec.ts';
import { memberFeatureSql } from '../../src/frames/feature-sql.ts';

export const CANDIDATES = ['duckdb', 'plain', 'arquero'] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

async function timed<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}

/** Load, query and build the matrix with one candidate; returns the figures. */
export async function measureCandidate(candidate: Candidate, dir: string, threads = 2): Promise<CandidateRun> {
  if (candidate === 'duckdb') {
    const [frames, loadMs] = await timed(() => openFrames(dir, { entities: ['member', 'observation'], threads }));
    const members = await frames.rowCount('member');
    const observations = await frames.rowCount('observation');
    const [, queryMs] = await timed(() => frames.query(`CREATE TABLE bench_features AS ${memberFeatureSql(BENCH_SPEC)}`));
    const [keyed, matrixMs] = await timed(() => frames.toFeatureMatrix('SELECT * FROM bench_features', 'member_id'));
    frames.close();
    const fp = fingerprint(keyed.matrix, keyed.ids[0] ?? '', keyed.ids.at(-1) ?? '');
    return { candidate, members, observations, loadMs, queryMs, matrixMs, peakRssMb: peakRssMb(), fingerprint: fp };
  }
  if (candidate === 'plain') {
    const [tables, loadMs] = await timed(() => loadPlain(dir));
    const [features, queryMs] = await timed(() => queryPlain(tables, AS_OF, WINDOW_START));
    const [keyed, matrixMs] = await timed(() => matrixPlain(tables, features));
    const fp = fingerprint(keyed.matrix, keyed.ids[0] ?? '', keyed.ids.at(-1) ?? '');
    return { candidate, members: tables.memberIds.length, observations: tables.observations, loadMs, queryMs, matrixMs, peakRssMb: peakRssMb(), fingerprint: fp };
  }
  const [tables, loadMs] = await timed(() => loadArquero(dir));
  const [table, queryMs] = await timed(() => queryArquero(tables));
  const [keyed, matrixMs] = await timed(() => matrixArquero(table));
  const fp = fingerprint(keyed.matrix, keyed.ids[0] ?? '', keyed.ids.at(-1) ?? '');
  return { candidate, members: tables.member.numRows(), observations: tables.observation.numRows(), loadMs, queryMs, matrixMs, peakRssMb: peakRssMb(), fingerprint: fp };
}

if (process.argv[1]?.endsWith('measure.ts')) {
  const candidate = process.argv[2] as Candidate;
  if (!CANDIDATES.includes(candidate)) throw new Error(`candidate must be one of ${CANDIDATES.join(', ')}`);
  const result = await measureCandidate(candidate, process.argv[3] ?? 'var/frames-bench', Number(process.argv[4] ?? 2));
  process.stdout.write(JSON.stringify(result) + '\n');
}
