// The one entry of every worker thread that runs a TypeScript module (typescript-worker.ts).
// Plain JavaScript so Node can start it without a loader: workers do not inherit the tsx
// registration of the CLI or the tests. It registers tsx, then imports the module it is given.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
