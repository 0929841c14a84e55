/** One small generated population shared by the surfaces' tests (generated once per test file). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const MEMBERS = 2000;

/** Generate ~2,000 members with `stratum generate` into a fresh temp folder; returns the folder. */
export function generatePopulation(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratum-perfsurf-pop-'));
  execFileSync(process.execPath, ['src/cli/bin.mjs', 'generate', '--members', String(MEMBERS), '--seed', '21', '--out', dir, '--threads', '1'], { stdio: 'ignore' });
  return dir;
}
