// Worker-thread entry of the loader's staging threads. Plain JavaScript so Node can start it
// without a loader (the CLI registers tsx in-process, and workers do not inherit that); it
// registers tsx and loads the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./stage-worker.ts');
