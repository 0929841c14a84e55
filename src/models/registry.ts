/**
 * The model registry in the store: every artifact version under `models/` is registered with
 * its manifest, and aliases (`champion`, `challenger`) point at one version each. Serving
 * follows `champion`; promote and rollback move the alias and keep the history.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database, Queryable } from '../store/database.ts';
import type { ModelManifest } from './artifact.ts';

export interface RegisteredVersion {
  name: string;
  version: number;
  task: string;
  path: string;
  checksum: string;
  manifest: ModelManifest;
  aliases: string[];
}

export class RegistryError extends Error {
  constructor(readonly code: 'MODEL_NOT_FOUND' | 'VERSION_NOT_FOUND' | 'NO_HISTORY', message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

/**
 * Register every `models/<name>/<version>/manifest.json` not yet in the store. A model with no
 * champion gets the version named in `models/<name>/champion` (committed with the defaults), or
 * its newest version.
 */
export async function syncRegistryFromDisk(db: Database, modelsDir: string, actor = 'system:sync'): Promise<string[]> {
  const registered: string[] = [];
  const names = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of names) {
    if (!entry.isDirectory()) continue;
    const name = entry.name;
    const versions = (await readdir(path.join(modelsDir, name)).catch(() => [] as string[])).map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
    for (const version of versions) {
      const dir = path.join(modelsDir, name, String(version));
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => 'null')) as ModelManifest | null;
      if (!manifest || manifest.task === undefined) continue;
      const r = await db.query(
        `INSERT INTO model_version (name, version, task, path, checksum, manifest) VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (name, version) DO NOTHING`,
        [name, version, manifest.task, path.relative(process.cwd(), dir), manifest.checksum, JSON.stringify(manifest)],
      );
      if (r.rowCount > 0) registered.push(`${name} v${version}`);
    }
    if (versions.length === 0) continue;
    const hasChampion = await db.query(`SELECT 1 FROM model_alias WHERE name = $1 AND alias = 'champion'`, [name]);
    if (hasChampion.rows.length === 0) {
      const pinned = Number((await readFile(path.join(modelsDir, name, 'champion'), 'utf8').catch(() => '')).trim());
      const exists = await db.query(`SELECT version FROM model_version WHERE name = $1 ORDER BY version DESC`, [name]);
      if (exists.rows.length === 0) continue;
      const versionsInStore = exists.rows.map((r) => Number((r as { version: number }).version));
      const target = versionsInStore.includes(pinned) ? pinned : versionsInStore[0]!;
      await setAlias(db, name, 'champion', target, actor, 'initial champion');
    }
  }
  return registered;
}

export async function setAlias(db: Database, name: string, alias: string, version: number, actor: string, reason?: string): Promise<void> {
  await db.transaction(async (tx) => {
    const exists = await tx.query(`SELECT 1 FROM model_version WHERE name = $1 AND version = $2`, [name, version]);
    if (exists.rows.length === 0) throw new RegistryError('VERSION_NOT_FOUND', `${name} has no version ${version}`);
    const previous = await tx.query<{ version: number }>(`SELECT version FROM model_alias WHERE name = $1 AND alias = $2 FOR UPDATE`, [name, alias]);
    await tx.query(
      `INSERT INTO model_alias (name, alias, version, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [name, alias, version, actor],
    );
    await tx.query(`INSERT INTO model_alias_history (name, alias, from_version, to_version, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)`, [
      name,
      alias,
      previous.rows[0]?.version ?? null,
      version,
      actor,
      reason ?? null,
    ]);
  });
}

/** Point the alias back at the version it held before its last move. */
export async function rollbackAlias(db: Database, name: string, alias: string, actor: string): Promise<number> {
  const last = await db.query<{ from_version: number | null }>(`SELECT from_version FROM model_alias_history WHERE name = $1 AND alias = $2 ORDER BY id DESC LIMIT 1`, [name, alias]);
  const target = last.rows[0]?.from_version;
  if (target == null) throw new RegistryError('NO_HISTORY', `${name}:${alias} has no earlier version to roll back to`);
  await setAlias(db, name, alias, target, actor, 'rollback');
  return target;
}

export async function listVersions(db: Queryable, name?: string): Promise<RegisteredVersion[]> {
  const rows = await db.query<{ name: string; version: number; task: string; path: string; checksum: string; manifest: ModelManifest; aliases: string[] | null }>(
    `SELECT v.name, v.version, v.task, v.path, v.checksum, v.manifest,
            array_remove(array_agg(a.alias ORDER BY a.alias), NULL) AS aliases
       FROM model_version v LEFT JOIN model_alias a ON a.name = v.name AND a.version = v.version
      WHERE $1::text IS NULL OR v.name = $1
      GROUP BY v.name, v.version, v.task, v.path, v.checksum, v.manifest
      ORDER BY v.name, v.version`,
    [name ?? null],
  );
  return rows.rows.map((r) => ({ ...r, version: Number(r.version), aliases: r.aliases ?? [] }));
}

export async function resolveAlias(db: Queryable, name: string, alias = 'champion'): Promise<RegisteredVersion> {
  const all = await listVersions(db, name);
  if (all.length === 0) throw new RegistryError('MODEL_NOT_FOUND', `no model named ${name} is registered`);
  const hit = all.find((v) => v.aliases.includes(alias));
  if (!hit) throw new RegistryError('VERSION_NOT_FOUND', `${name} has no ${alias}`);
  return hit;
}
