/**
 * A generated population cached in the OS temp folder, keyed by generator version, seed and size:
 * the out-of-time acceptance test needs ~60,000 members (institutions with 1,000+ attributed
 * members), which takes tens of seconds to generate on a loaded 2-core machine, so it is made once
 * and reused by later runs. A folder without its `truth/manifest.json` (an interrupted run) is
 * generated again.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePopulation } from '../../src/generator/population-files.ts';
import { GENERATOR_VERSION } from '../../src/generator/population.ts';

export async function cachedPopulation(members: number, seed: number): Promise<string> {
  const dir = join(tmpdir(), `stratum-riskadjust-population-${GENERATOR_VERSION}-${seed}-${members}`);
  if (existsSync(join(dir, 'truth', 'manifest.json'))) return dir;
  await rm(dir, { recursive: true, force: true });
  await writePopulation({ members, seed, defectRate: 0, startYear: 2022, endYear: 2026 }, dir);
  return dir;
}
