/** Messages between the service benchmark and its server child process. */
import type { FixtureInfo } from './fixture.ts';

export type ChildMessage = { type: 'ready'; info: FixtureInfo } | { type: 'failed'; message: string } | { type: 'stopped' };
export type ParentMessage = { type: 'stop' };
