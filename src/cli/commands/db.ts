/** `stratum db migrate|status` and `stratum load`: the store and getting data into it. */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ENTITY_NAMES } from '../../../data-contracts/v1/index.ts';
import { loadEnv } from '../../config/env.ts';
import { loadPopulation, type LoadSummary } from '../../ingest/loader.ts';
import { databaseOptionsFromEnv, openDatabase, type Database } from '../../store/database.ts';
import { migrate } from '../../store/migrate.ts';
import { progressBar, type Progress } from '../progress.ts';

/** Open the store the environment names (PGlite under STRATUM_DATA_DIR unless DATABASE_URL is set) and migrate it. */
export async function openMigratedStore(): Promise<Database> {
  const env = loadEnv();
  const db = await openDatabase(databaseOptionsFromEnv(env));
  await migrate(db);
  return db;
}

/** Rough row count of a CSV from its size and the length of its first lines, for a progress bar's total. */
async function estimateRows(file: string): Promise<number> {
  const size = (await stat(file)).size;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, 1 << 16));
    await handle.read(buf, 0, buf.length, 0);
    const lines = buf.toString('utf8').split('\n').length - 1;
    return lines > 1 ? Math.round((size / buf.length) * lines) - 1 : 0;
  } finally {
    await handle.close();
  }
}

export function printLoadSummary(summary: LoadSummary): void {
  console.log(`load ${summary.loadId}${summary.resumed ? ' (resumed)' : ''}`);
  console.log('entity           read   accepted  rejected  converted  published');
  for (const e of summary.entities)
    console.log(
      `${e.entity.padEnd(16)} ${String(e.read).padStart(9)} ${String(e.accepted).padStart(9)} ${String(e.rejected + e.rejectedAtPublish).padStart(9)} ${String(e.converted).padStart(10)} ${String(e.published).padStart(10)}`,
    );
  const rules = Object.entries(summary.rejectsByRule).map(([r, n]) => `${r} ${n}`).join(', ');
  console.log(`rejected rows by rule: ${rules || 'none'}; reasons in ${path.relative(process.cwd(), summary.rejectsFile)}`);
}

export async function runLoad(db: Database, from: string, rejectsFile?: string): Promise<LoadSummary> {
  const bars = new Map<string, Progress>();
  const totals = new Map<string, number>();
  for (const entity of ENTITY_NAMES) {
    const file = path.join(from, `${entity}.csv`);
    totals.set(entity, await estimateRows(file).catch(() => 0));
  }
  try {
    return await loadPopulation(db, {
      from,
      rejectsFile,
      onChunk: (p) => {
        let bar = bars.get(p.entity);
        if (!bar) {
          for (const b of bars.values()) b.stop();
          bar = progressBar(p.entity, Math.max(totals.get(p.entity) ?? 0, p.rowsDone));
          bars.set(p.entity, bar);
        }
        bar.setTotal(Math.max(totals.get(p.entity) ?? 0, p.rowsDone));
        bar.update(p.rowsDone);
      },
      log: (m) => console.error(m),
    });
  } finally {
    for (const b of bars.values()) b.stop();
  }
}

export function register(program: Command): void {
  const db = program.command('db').description('The store: PGlite under STRATUM_DATA_DIR (default ./var), or PostgreSQL when DATABASE_URL is set');
  db.command('migrate')
    .description('Apply pending numbered migrations (under an advisory lock; safe to run from several processes)')
    .action(async () => {
      const env = loadEnv();
      const store = await openDatabase(databaseOptionsFromEnv(env));
      try {
        const report = await migrate(store);
        console.log(JSON.stringify(report));
      } finally {
        await store.close();
      }
    });

  program
    .command('load')
    .description(
      'Validate a population folder (<entity>.csv files, as `stratum generate` writes) against the contracts and publish it.\n' +
        'Rejected rows go to a reject file with field and rule; HbA1c labelled mmol/mol is converted to %; duplicates are dropped.\n' +
        'A load killed midway resumes when run again on the same folder; readers see all of a load or none of it.',
    )
    .requiredOption('--from <dir>', 'population folder')
    .option('--rejects <file>', 'reject file (default <from>/rejects.csv)')
    .action(async (opts: { from: string; rejects?: string }) => {
      const store = await openMigratedStore();
      try {
        printLoadSummary(await runLoad(store, opts.from, opts.rejects));
      } finally {
        await store.close();
      }
    });
}
