/**
 * Every environment variable Stratum reads, declared once with its type and default (MLflow's
 * habit). Parsed once at start-up; the parsed object is handed to whatever needs it.
 */
import { availableParallelism } from 'node:os';
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
  /**
   * API keys of the HTTP service: JSON array of {id, role, institutionId?, keySha256 | key}
   * (prefer keySha256). Unset: `start` generates demo keys and prints them (src/api/auth.ts).
   */
  STRATUM_API_KEYS: z.string().optional(),
  /** HS256 secret for JWTs; unset refuses every JWT. At least 32 characters. */
  STRATUM_JWT_SECRET: z.string().min(32, 'STRATUM_JWT_SECRET must be at least 32 characters').optional(),
  /** Required `iss` of JWTs. */
  STRATUM_JWT_ISSUER: z.string().default('stratum'),
  /** Required `aud` of JWTs. */
  STRATUM_JWT_AUDIENCE: z.string().default('stratum-api'),
  /** Token-bucket refill per API principal, requests per second (0 disables the limit). */
  STRATUM_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(50),
  /** Token-bucket capacity (burst) per API principal. */
  STRATUM_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(100),
  /** Default JSON body limit (bytes or `1mb`-style); a route may declare its own. */
  STRATUM_BODY_LIMIT: z.string().default('1mb'),
  /** How often the service asks the registry whether a champion was promoted or rolled back (0: only at start). */
  STRATUM_MODEL_REFRESH_SECONDS: z.coerce.number().min(0).default(30),
  /**
   * Worker threads that parse and score records beside the event loop (0: score on the event
   * loop). Default: one per core, at most 4.
   */
  STRATUM_SCORING_THREADS: z.coerce.number().int().min(0).max(64).default(Math.min(4, availableParallelism())),
  /** Who may read /metrics: `admin` credential (default) or `none` (open, private network only). */
  STRATUM_METRICS_AUTH: z.enum(['admin', 'none']).default('admin'),
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
