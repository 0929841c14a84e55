/** `stratum models list|show|promote|rollback`: the registry of trained model versions and their aliases. */
import type { Command } from 'commander';
import { listVersions, resolveAlias, rollbackAlias, setAlias, syncRegistryFromDisk } from '../../models/registry.ts';
import { openMigratedStore } from './db.ts';
import { MODELS_DIR } from './train.ts';

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

export function register(program: Command): void {
  const models = program.command('models').description('Model registry: versions under models/, aliases (champion, challenger) in the store');
  models
    .command('list')
    .description('Every registered version with its learner, test AUC and aliases')
    .option('--name <model>', 'only this model (readmission, onset-diabetes, ...)')
    .action(async (opts: { name?: string }) => {
      const db = await openMigratedStore();
      try {
        await syncRegistryFromDisk(db, MODELS_DIR);
        console.log('model                version  learner  test_auc  aliases');
        for (const v of await listVersions(db, opts.name))
          console.log(`${v.name.padEnd(20)} ${String(v.version).padStart(7)}  ${String(v.manifest.learner ?? '').padEnd(7)}  ${(v.manifest.metrics?.test_auc ?? NaN).toFixed(3).padStart(8)}  ${v.aliases.join(', ')}`);
      } finally {
        await db.close();
      }
    });
  models
    .command('show <name> [versionOrAlias]')
    .description('The manifest of one version (default: the champion)')
    .action(async (name: string, which = 'champion') => {
      const db = await openMigratedStore();
      try {
        await syncRegistryFromDisk(db, MODELS_DIR);
        const v = /^\d+$/.test(which) ? (await listVersions(db, name)).find((x) => x.version === Number(which)) : await resolveAlias(db, name, which);
        if (!v) throw new Error(`${name} has no version ${which}`);
        console.log(JSON.stringify({ ...v.manifest, path: v.path, aliases: v.aliases }, null, 2));
      } finally {
        await db.close();
      }
    });
  models
    .command('promote <name> <version>')
    .description('Make a version the champion that serving follows (the move is recorded for rollback)')
    .option('--alias <alias>', 'alias to move', 'champion')
    .option('--reason <text>', 'why, for the history')
    .action(async (name: string, version: string, opts: { alias: string; reason?: string }) => {
      const db = await openMigratedStore();
      try {
        await syncRegistryFromDisk(db, MODELS_DIR);
        await setAlias(db, name, opts.alias, Number(version), actor(), opts.reason);
        console.log(`${name}:${opts.alias} -> v${version}`);
      } finally {
        await db.close();
      }
    });
  models
    .command('rollback <name>')
    .description('Point the alias back at the version it held before its last move')
    .option('--alias <alias>', 'alias to move back', 'champion')
    .action(async (name: string, opts: { alias: string }) => {
      const db = await openMigratedStore();
      try {
        const v = await rollbackAlias(db, name, opts.alias, actor());
        console.log(`${name}:${opts.alias} -> v${v}`);
      } finally {
        await db.close();
      }
    });
}
