/** Body of the forest's worker thread: grows the trees it is given and posts each one back. */
import { parentPort, workerData } from 'node:worker_threads';
import { growForestTree, type ForestJob } from './forest-trees.ts';

const port = parentPort;
if (!port) throw new Error('forest-worker.ts must run in a worker thread');
const { job, trees } = workerData as { job: ForestJob; trees: { seed: number; t: number }[] };
for (const { seed, t } of trees) {
  const tree = growForestTree(job, seed);
  const buffers = [tree.feature, tree.thresholdBin, tree.threshold, tree.missingLeft, tree.left, tree.right, tree.value, tree.gain].map((a) => a.buffer as ArrayBuffer);
  port.postMessage({ t, tree }, buffers);
}
