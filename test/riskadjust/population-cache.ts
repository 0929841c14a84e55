/**
 * A generated population cached in the OS temp folder (not the run's own folder that
 * test/global-setup.ts makes), keyed by generator version, seed and size, for the out-of-time
 * acceptance tests (60,000 and 1,000,000 members): generating 1M members takes a minute or more
 * on a loaded 2-core machine, so it is made once and reused by later runs.
 *
 * Only what the risk-adjustment fit reads is kept (`POPULATION_FILES`, about 15% of the bytes: a
 * 1M population is ~3.9 GB whole, ~0.6 GB trimmed), plus `truth/manifest.json`, written last, whose
 * presence marks a complete folder; a folder without it (an interrupted run) is generated again.
 * Folders of older generator versions are removed, so a version bump does not strand gigabytes.
 */
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePopulation } from '../../src/generator/population-files.ts';
import { GENERATOR_VERSION } from '../../src/generator/population.ts';
import { POPULATION_FILES } from '../../training/risk-adjustment/population.ts';

const PREFIX = 'stratum-riskadjust-population-';

/** Outside the per-run temp folder test/global-setup.ts makes, so the cache outlives the run. */
const cacheRoot = (): string => process.env.STRATUM_TEST_CACHE_DIR ?? tmpdir();

async function removeOtherVersions(): Promise<void> {
  for (const name of await readdir(cacheRoot())) {
    if (name.startsWith(PREFIX) && !name.startsWith(`${PREFIX}${GENERATOR_VERSION}-`)) await rm(join(cacheRoot(), name), { recursive: true, force: true });
  }
}

/** Keep the fit's files and the manifest; everything else the generator wrote goes. */
async function trim(dir: string): Promise<void> {
  const keep = new Set<string>([...POPULATION_FILES, 'truth']);
  for (const name of await readdir(dir)) if (!keep.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  for (const name of await readdir(join(dir, 'truth'))) if (name !== 'manifest.json') await rm(join(dir, 'truth', name), { recursive: true, force: true });
}

export async function cachedPopulation(members: number, seed: number): Promise<string> {
  const dir = join(cacheRoot(), `${PREFIX}${GENERATOR_VERSION}-${seed}-${members}`);
  if (existsSync(join(dir, 'truth', 'manifest.json'))) return dir;
  await removeOtherVersions();
  await rm(dir, { recursive: true, force: true });
  // Written under another name and renamed when trimmed, so a half-made folder is never taken for done.
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await writePopulation({ members, seed, defectRate: 0, startYear: 2022, endYear: 2026 }, partial, { threads: members >= 200_000 ? 2 : 1 });
  await trim(partial);
  await rename(partial, dir);
  return dir;
}
