/** `stratum start` (`npm start`): the scoring service on the embedded store, seeded and with the committed default models. */
import path from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.ts';
import { DEFAULT_POPULATION, startService } from '../../service/server.ts';

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'Start the scoring service (port 8080 unless PORT is set) on the embedded store under STRATUM_DATA_DIR (default ./var),\n' +
        `or on PostgreSQL when DATABASE_URL is set. A store with no data is seeded with the default synthetic population\n` +
        `(${DEFAULT_POPULATION.members.toLocaleString('en-US')} members, seed ${DEFAULT_POPULATION.seed}); the committed models under models/ are served.`,
    )
    .option('--port <n>', 'HTTP port (default: PORT or 8080)', (v) => Number.parseInt(v, 10))
    .option('--members <n>', 'size of the seeded population on an empty store', (v) => Number.parseInt(v, 10), DEFAULT_POPULATION.members)
    .option('--no-seed', 'do not seed an empty store')
    .action(async (opts: { port?: number; members: number; seed: boolean }) => {
      const env = loadEnv();
      const service = await startService({ port: opts.port, members: opts.members, seed: opts.seed, env });
      const keysFile = path.join(env.STRATUM_DATA_DIR, 'demo-keys.json');
      console.log(`\nStratum is serving at ${service.url}`);
      console.log(`  API docs:      ${service.url}/docs   (OpenAPI: ${service.url}/openapi.json)`);
      console.log(`  health/ready:  ${service.url}/health  ${service.url}/ready`);
      console.log(`  models:        ${Object.entries(service.models.versions()).map(([k, v]) => `${k} v${v}`).join(', ') || 'none loaded'}`);
      if (service.keys) {
        const analyst = service.keys.find((k) => k.role === 'analyst')!;
        const clinic = service.keys.find((k) => k.role === 'clinic');
        console.log(`  demo API keys: ${keysFile} (one per role and one per clinic; set STRATUM_API_KEYS in production)`);
        console.log(`    analyst: ${analyst.key}`);
        if (clinic) console.log(`    clinic ${clinic.institutionId}: ${clinic.key}`);
        console.log(`  try: curl -s -H "Authorization: Bearer ${analyst.key}" -H 'content-type: application/json' -d '{"member_id":"M1"}' ${service.url}/v1/score`);
      }
      console.log('  (on a fresh store the default population is generated and loaded now; /ready turns true when it is in)');
      void service.seeded.then(() => {
        const clinic = service.keys?.find((k) => k.role === 'clinic');
        console.error(`store ready; scoring the population in the background${clinic ? ` (clinic ${clinic.institutionId} key: ${clinic.key})` : ''}`);
      });
      const shutdown = (signal: string) => {
        console.error(`\n${signal}: finishing in-flight requests and the current job page, then stopping`);
        void service.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
