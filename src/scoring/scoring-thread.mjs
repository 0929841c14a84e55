// Worker-thread entry for scoring-threads.ts. Plain JavaScript so Node can start it without a
// loader (workers do not inherit the tsx registration of the CLI or the tests).
import { register } from 'tsx/esm/api';

register();
await import('./scoring-thread.ts');
