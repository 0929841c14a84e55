#!/usr/bin/env node
// Entry point for `npx stratum` and the npm scripts: runs the TypeScript CLI through tsx so a
// fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv);
