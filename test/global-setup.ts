/**
 * Gives each `npm test` run its own temp folder, removed when the run ends, so the many
 * populations, model folders and data dirs the tests make in the OS temp folder do not pile up
 * (a run made about 40 of them). Child processes (forks, CLI runs) inherit it through TMPDIR.
 * Caches meant to outlive a run (the 1M-member population) stay in the outer temp folder,
 * passed on as STRATUM_TEST_CACHE_DIR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const outer = tmpdir();
  process.env.STRATUM_TEST_CACHE_DIR ??= outer;
  const runDir = mkdtempSync(path.join(outer, 'stratum-test-run-'));
  process.env.TMPDIR = runDir;
  return () => rmSync(runDir, { recursive: true, force: true });
}
