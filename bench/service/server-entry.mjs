// Child-process entry of the service benchmark's server. Plain JavaScript so Node can start it
// without a loader; it registers tsx and loads the TypeScript body (as src/cli/bin.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./server-child.ts');
