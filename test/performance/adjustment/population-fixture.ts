/**
 * Test helper: a generated population, cached in the OS temp folder keyed by generator version,
 * size and seed (generation runs once per key; later runs reuse it), read back into MemberRecords
 * through the ingest decoder (src/ingest/decode.ts, the loader's own rules).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EntityName } from '../../../data-contracts/v1/index.ts';
import { contractColumns } from '../../../data-contracts/v1/index.ts';
import type { MemberRecord } from '../../../src/features/member-record.ts';
import { GENERATOR_VERSION } from '../../../src/generator/population.ts';
import { readCsvBatches } from '../../../src/ingest/csv.ts';
import { headerIndex, rowDecoder } from '../../../src/ingest/decode.ts';

/**
 * A digest of the generator's source: the version is bumped only when a change is finished, so a
 * generator being edited would otherwise be served a stale cache.
 */
function generatorSourceDigest(): string {
  const dir = path.resolve('src/generator');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(path.join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

/** Generate (or reuse) a population; returns its folder (keyed by generator version and source, size, seed). */
export function cachedPopulation(members: number, seed: number): string {
  const dir = path.join(tmpdir(), `stratum-perfra-pop-v${GENERATOR_VERSION}-${generatorSourceDigest()}-${members}-${seed}`);
  if (existsSync(path.join(dir, 'truth', 'manifest.json'))) return dir;
  const staging = mkdtempSync(path.join(tmpdir(), 'stratum-perfra-staging-'));
  execFileSync(process.execPath, ['src/cli/bin.mjs', 'generate', '--members', String(members), '--seed', String(seed), '--out', staging], { stdio: 'ignore' });
  // Older caches of the same size and seed (an earlier generator) are dead weight: remove them.
  for (const name of readdirSync(tmpdir()))
    if (name.startsWith('stratum-perfra-pop-') && name.endsWith(`-${members}-${seed}`) && path.join(tmpdir(), name) !== dir) rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch {
    // Another run finished the same key first: use theirs.
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

async function readEntity(dir: string, entity: EntityName, keep: (fields: string[], index: number[]) => boolean, onRecord: (r: Record<string, unknown>) => void): Promise<number> {
  const file = path.join(dir, `${entity}.csv`);
  const names = contractColumns(entity).map((c) => c.name);
  let index: number[] = [];
  let decode: ReturnType<typeof rowDecoder> | null = null;
  let rejected = 0;
  for await (const batch of readCsvBatches(file)) {
    if ('header' in batch) {
      index = headerIndex(entity, batch.header, file);
      decode = rowDecoder(entity, index);
      continue;
    }
    for (const row of batch) {
      if (!keep(row.fields, index)) continue;
      const d = decode!(row.fields, row.line);
      if (!d.ok) {
        rejected++;
        continue;
      }
      const rec: Record<string, unknown> = {};
      names.forEach((n, k) => (rec[n] = d.values[k]));
      onRecord(rec);
    }
  }
  return rejected;
}

/** Observation codes the outcome indicators read (HbA1c, systolic, diastolic). */
const NEEDED_OBSERVATIONS = new Set(['4548-4', '8480-6', '8462-4']);

/** Members with their sign-ups, conditions, HbA1c/BP readings and procedures (other entities left empty). */
export async function readMemberRecords(dir: string): Promise<MemberRecord[]> {
  const byId = new Map<string, MemberRecord>();
  const all = () => true;
  await readEntity(dir, 'member', all, (m) => {
    byId.set(m.member_id as string, {
      member: m as unknown as MemberRecord['member'],
      signups: [],
      conditions: [],
      encounters: [],
      observations: [],
      procedures: [],
      serviceRequests: [],
      medications: [],
      claims: [],
      lifestyle: [],
    });
  });
  const attach = (key: 'signups' | 'conditions' | 'observations' | 'procedures') => (r: Record<string, unknown>) => {
    const rec = byId.get(r.member_id as string);
    if (rec) (rec[key] as unknown[]).push(r);
  };
  await readEntity(dir, 'signup', all, attach('signups'));
  await readEntity(dir, 'condition', all, attach('conditions'));
  const codeAt = contractColumns('observation').findIndex((c) => c.name === 'code');
  await readEntity(dir, 'observation', (fields, index) => NEEDED_OBSERVATIONS.has(fields[index[codeAt]!] ?? ''), attach('observations'));
  await readEntity(dir, 'procedure', all, attach('procedures'));
  return [...byId.values()];
}

/** truth/institutions.json: true quality effect per institution. */
export function readInstitutionTruth(dir: string): { institution_id: string; level: string; quality_effect_logodds: number }[] {
  return (JSON.parse(readFileSync(path.join(dir, 'truth', 'institutions.json'), 'utf8')) as { institutions: { institution_id: string; level: string; quality_effect_logodds: number }[] }).institutions;
}
