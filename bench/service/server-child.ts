/**
 * The service benchmark's server process: builds the fixture, reports `ready` with what the load
 * generator needs over the IPC channel, and on `stop` tears everything down and exits. Options
 * arrive as JSON in SVCBENCH_FIXTURE. The process exits by itself if its parent goes away.
 */
import { startFixture, type FixtureOptions, type RunningFixture } from './fixture.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';

const send = (message: ChildMessage) => process.send?.(message);
let fixture: RunningFixture | undefined;

process.on('disconnect', () => {
  void (fixture?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});
process.on('message', (message: ParentMessage) => {
  if (message.type !== 'stop') return;
  void (async () => {
    try {
      await fixture?.stop();
      send({ type: 'stopped' });
    } finally {
      process.disconnect?.();
      process.exit(0);
    }
  })();
});

try {
  const options = JSON.parse(process.env.SVCBENCH_FIXTURE ?? '{}') as FixtureOptions;
  fixture = await startFixture(options);
  send({ type: 'ready', info: fixture.info });
} catch (err) {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}
