/**
 * Body of a staging worker thread (started through `stage-worker.mjs` by staging-threads.ts):
 * turns the files it is given into staging chunks, one file at a time, and posts each chunk to
 * the loader, never more than the loader has given credit for, so memory stays bounded.
 */
import { parentPort } from 'node:worker_threads';
import { stagingChunks } from './staging-chunks.ts';
import { serialiseError, type FromWorker, type ToWorker } from './staging-threads.ts';

const port = parentPort;
if (!port) throw new Error('stage-worker.ts must run in a worker thread');

let credits = 0;
let wake: (() => void) | null = null;

async function stage(job: Extract<ToWorker, { type: 'file' }>['job']): Promise<void> {
  const chunks = stagingChunks(job);
  for (;;) {
    const next = await chunks.next();
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    const message: FromWorker = next.done ? { type: 'end', screens: next.value } : { type: 'chunk', chunk: next.value };
    port!.postMessage(message);
    if (next.done) return;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'credit') {
    credits += message.credits;
    wake?.();
    wake = null;
    return;
  }
  credits = message.credits;
  stage(message.job).catch((error: unknown) => port.postMessage({ type: 'error', error: serialiseError(error) } satisfies FromWorker));
});
