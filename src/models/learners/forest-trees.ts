/**
 * Growing a random forest's trees, in this thread or split with one worker thread. Each tree
 * depends only on its own seed (drawn in order from the fit's seed before any tree is grown), so
 * which thread grows it changes nothing: the forest is bit-identical either way.
 */
import { availableParallelism } from 'node:os';
import { typescriptWorker } from '../../lib/typescript-worker.ts';
import { Rng } from '../../lib/random.ts';
import type { FitOptions } from '../risk-model.ts';
import { growTree } from './histogram-tree.ts';
import type { BinnedData, GrowConfig, Tree } from './histogram-tree.ts';

/** Everything a tree needs besides its seed; plain data, so it can be posted to a worker. */
export interface ForestJob {
  data: BinnedData;
  y: Uint8Array;
  sampleWeight: Float64Array;
  edges: readonly Float64Array[];
  config: Omit<GrowConfig, 'nextUniform'>;
  bootstrap: boolean;
}

/** Below this many row-trees a worker's start-up (~0.5 s) costs more than it saves. */
const MIN_WORK_FOR_A_WORKER = 2_000_000;

/** One tree: its bootstrap sample (as per-row multiplicities) and its growth, from `seed` alone. */
export function growForestTree(job: ForestJob, seed: number): Tree {
  const { data, y, sampleWeight, bootstrap } = job;
  const n = data.rows;
  const rng = new Rng(seed);
  const multiplicity = new Float64Array(n).fill(bootstrap ? 0 : 1);
  if (bootstrap) for (let k = 0; k < n; k++) multiplicity[Math.floor(rng.next() * n)]! += 1;
  const target = new Float64Array(n);
  const weight = new Float64Array(n);
  let inBag = 0;
  for (let i = 0; i < n; i++) {
    const w = multiplicity[i]! * sampleWeight[i]!;
    weight[i] = w;
    target[i] = w * y[i]!;
    if (w > 0) inBag++;
  }
  const rowIndex = new Uint32Array(inBag);
  for (let i = 0, k = 0; i < n; i++) if (weight[i]! > 0) rowIndex[k++] = i;
  return growTree(data, target, weight, rowIndex, job.edges, { ...job.config, nextUniform: () => rng.next() });
}

/**
 * Every tree, in seed order. With `threads` 2 (the default where the machine has two cores and
 * the work is big enough) a worker grows every other tree while this thread grows the rest.
 */
export async function growForestTrees(job: ForestJob, seeds: readonly number[], options: Pick<FitOptions, 'threads' | 'onProgress'> = {}): Promise<Tree[]> {
  const threads = options.threads ?? (job.data.rows * seeds.length >= MIN_WORK_FOR_A_WORKER ? Math.min(2, availableParallelism()) : 1);
  const trees: Tree[] = new Array<Tree>(seeds.length);
  let done = 0;
  const report = () => options.onProgress?.(done / seeds.length);
  if (threads <= 1 || seeds.length < 2) {
    seeds.forEach((seed, t) => {
      trees[t] = growForestTree(job, seed);
      done++;
      report();
    });
    return trees;
  }
  const theirs = seeds.map((seed, t) => ({ seed, t })).filter(({ t }) => t % 2 === 1);
  const worker = typescriptWorker(new URL('./forest-worker.ts', import.meta.url), { workerData: { job, trees: theirs } });
  const fromWorker = new Promise<void>((resolve, reject) => {
    let received = 0;
    worker.on('message', (message: { t: number; tree: Tree }) => {
      trees[message.t] = message.tree;
      done++;
      report();
      if (++received === theirs.length) resolve();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`forest worker exited (code ${code}) before growing its trees`)));
  });
  // Awaited below, after this thread's trees; until then a failure must not count as unhandled.
  fromWorker.catch(() => undefined);
  try {
    for (let t = 0; t < seeds.length; t += 2) {
      trees[t] = growForestTree(job, seeds[t]!);
      done++;
      report();
      // Let the worker's finished trees (and their progress) in between ours.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await fromWorker;
    return trees;
  } finally {
    await worker.terminate();
  }
}
