/**
 * Worker threads whose body is a TypeScript module: each starts through typescript-worker.mjs,
 * which registers tsx and imports the module named here, so no body needs an entry of its own.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const ENTRY = new URL('./typescript-worker.mjs', import.meta.url);

/** A worker thread running `module` (a TypeScript or JavaScript module's URL). */
export function typescriptWorker(module: URL, options: Omit<WorkerOptions, 'argv'> = {}): Worker {
  return new Worker(ENTRY, { ...options, argv: [module.href] });
}
