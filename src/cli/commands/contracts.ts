/** `stratum contracts generate|check`: publish the JSON Schema files generated from the zod contracts. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { allJsonSchemas, CONTRACT_VERSION } from '../../../data-contracts/v1/index.ts';

export const JSON_SCHEMA_DIR = path.join('data-contracts', CONTRACT_VERSION, 'json-schema');

export function renderSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, schema] of Object.entries(allJsonSchemas())) files.set(`${name}.schema.json`, JSON.stringify(schema, null, 2) + '\n');
  return files;
}

/** Files whose published copy differs from what the contracts generate now. */
export async function driftedSchemaFiles(dir = JSON_SCHEMA_DIR): Promise<string[]> {
  const drifted: string[] = [];
  for (const [file, content] of renderSchemaFiles()) {
    const published = await readFile(path.join(dir, file), 'utf8').catch(() => null);
    if (published !== content) drifted.push(file);
  }
  return drifted;
}

export function register(program: Command): void {
  const contracts = program.command('contracts').description('Data contracts: JSON Schema files generated from the zod schemas in data-contracts/');
  contracts
    .command('generate')
    .description(`Write ${JSON_SCHEMA_DIR}/<entity>.schema.json for every contract (run after changing a schema)`)
    .option('--out <dir>', 'output folder', JSON_SCHEMA_DIR)
    .action(async (opts: { out: string }) => {
      await mkdir(opts.out, { recursive: true });
      const files = renderSchemaFiles();
      for (const [file, content] of files) await writeFile(path.join(opts.out, file), content);
      console.log(`wrote ${files.size} JSON Schema files to ${opts.out}`);
    });
  contracts
    .command('check')
    .description('Exit non-zero when the published JSON Schema files differ from the zod contracts')
    .action(async () => {
      const drifted = await driftedSchemaFiles();
      if (drifted.length) {
        console.error(`JSON Schema drift in: ${drifted.join(', ')}. Run: npm run contracts:generate`);
        process.exitCode = 1;
      } else console.log('JSON Schema files match the contracts');
    });
}
