/**
 * The `stratum` command line. Each capability registers its own sub-commands from
 * `src/cli/commands/<name>.ts`; this file only assembles them and maps failures to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { commandModules } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('stratum')
    .description('Stratum: risk tiers, capitation risk adjustment and pay-for-performance for chronic-disease care.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    console.error(`stratum: ${message}`);
    if (process.env.STRATUM_DEBUG) console.error(err);
    process.exitCode = 1;
  }
}
