/**
 * Every environment variable Stratum reads, declared once with its type and default (MLflow's
 * habit). Parsed once at start-up; the parsed object is handed to whatever needs it.
 */
import { z } from 'zod';

const EnvSchema = z.object({
  /** PostgreSQL connection string; when unset the embedded PGlite store under `dataDir` is used. */
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded store and job state live. */
  STRATUM_DATA_DIR: z.string().default('./var'),
  /** Public validation datasets (read-only, never copied into the project). */
  STRATUM_SHARED_DATA: z.string().default('../shared/data'),
  /** HTTP port of the scoring service. */
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Path to a JSON file overriding policy figures (rates, thresholds, bands). */
  STRATUM_POLICY_FILE: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parse the process environment; throws a readable error naming the bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment: ${lines.join('; ')}`);
  }
  return parsed.data;
}
