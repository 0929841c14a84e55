/**
 * Body of a staging worker thread (started through `typescriptWorker` by staging-threads.ts):
 * turns the files it is given into staging chunks, one file at a time, and posts each chunk to
 * the loader, never more than the loader has given credit for, so memory stays bounded.
 */
import { parentPort } from 'node:worker_threads';
import { stagingChunks } from './staging-chunks.ts';
import { serialiseError, type FromWorker, type ToWorker } from './staging-threads.ts';

const port = parentPort;
if (!port) throw new Error('stage-worker.ts must run in a worker thread');

/** The buffers of `pieces` that belong to them alone (so transferring them takes nothing else along). */
function ownBuffers(pieces: readonly Uint8Array[]): ArrayBuffer[] {
  return pieces.filter((p) => p.byteOffset === 0 && p.byteLength === p.buffer.byteLength).map((p) => p.buffer as ArrayBuffer);
}

let credits = 0;
let wake: (() => void) | null = null;

async function stage(job: Extract<ToWorker, { type: 'file' }>['job']): Promise<void> {
  const chunks = stagingChunks(job);
  for (;;) {
    const next = await chunks.next();
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    const message: FromWorker = next.done ? { type: 'end', screens: next.value } : { type: 'chunk', chunk: next.value };
    // The staged bytes move to the loader's thread instead of being copied (~1 GB for 200,000 members).
    port!.postMessage(message, next.done ? [] : ownBuffers(next.value.text));
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
