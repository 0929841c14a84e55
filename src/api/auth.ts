/**
 * Who is calling: API keys and HS256 JWTs, both checked with node:crypto only.
 *
 * - API keys arrive as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Only their SHA-256
 *   is held in memory; comparison is timingSafeEqual against every configured hash, so timing
 *   says nothing about which key (if any) nearly matched. Keys are never logged.
 * - JWTs arrive as `Authorization: Bearer <header.payload.signature>` and must be HS256-signed
 *   with STRATUM_JWT_SECRET, carry `exp` (a token that never expires is refused), and match the
 *   configured `iss` and `aud`; `nbf` is honoured when present. Claims: `sub`, `role`,
 *   `institution_id` (required for `clinic`).
 *
 * Roles: `clinic` sees only its own institution; `settlement`, `analyst` and `admin` are bureau
 * roles and see every institution (DOMAIN.md, who pays whom).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Env } from '../config/env.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';

export const ROLES = ['clinic', 'settlement', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Roles that act for the bureau and so may see every institution. */
export const BUREAU_ROLES: readonly Role[] = ['settlement', 'analyst', 'admin'];

/** An authenticated caller. `id` is the key id or the JWT `sub`: safe to log, never the secret. */
export interface Principal {
  id: string;
  role: Role;
  /** Present (and required) for `clinic`. */
  institutionId?: string;
  via: 'api-key' | 'jwt';
}

/** A configured API key: only the SHA-256 of the key is kept. */
export interface ApiKeyRecord {
  id: string;
  role: Role;
  institutionId?: string;
  keySha256: Buffer;
}

export interface JwtConfig {
  secret: string;
  issuer: string;
  audience: string;
  /** Allowed clock skew for exp/nbf. */
  clockToleranceSeconds: number;
}

/** How callers are authenticated; built once at start-up and handed to createApp. */
export interface AuthConfig {
  apiKeys: ApiKeyRecord[];
  /** Absent: JWTs are refused. */
  jwt?: JwtConfig;
  /**
   * `admin`: /metrics needs an admin credential (default). `none`: /metrics is open, for a
   * scraper on a private network. Metrics hold only aggregates, never member data.
   */
  metricsAccess: 'admin' | 'none';
}

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/i, 'keySha256 must be 64 hex digits');

/** One entry of STRATUM_API_KEYS: the key itself or (preferred) its SHA-256 in hex. */
export const ApiKeyEntry = z
  .object({
    id: z.string().min(1).max(128),
    role: z.enum(ROLES),
    institutionId: z.string().min(1).optional(),
    key: z.string().min(16, 'an API key must be at least 16 characters').optional(),
    keySha256: Sha256Hex.optional(),
  })
  .refine((e) => (e.key === undefined) !== (e.keySha256 === undefined), 'give exactly one of key or keySha256')
  .refine((e) => e.role !== 'clinic' || e.institutionId !== undefined, 'a clinic key must carry an institutionId');

export type ApiKeyEntry = z.input<typeof ApiKeyEntry>;

/** A configuration problem found at start-up (bad STRATUM_API_KEYS, short JWT secret). */
export class AuthConfigError extends Error {
  readonly code = 'AUTH_CONFIG_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

/** SHA-256 of a key, as stored. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Turn STRATUM_API_KEYS-style entries into records; refuses duplicates and clinics without an institution. */
export function apiKeyRecords(entries: readonly ApiKeyEntry[]): ApiKeyRecord[] {
  const parsed = z.array(ApiKeyEntry).safeParse(entries);
  if (!parsed.success) {
    // Paths and messages only: the input holds secrets.
    throw new AuthConfigError(`invalid API key configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const seen = new Set<string>();
  return parsed.data.map((e) => {
    if (seen.has(e.id)) throw new AuthConfigError(`duplicate API key id ${JSON.stringify(e.id)}`);
    seen.add(e.id);
    const keySha256 = e.key !== undefined ? hashApiKey(e.key) : Buffer.from(e.keySha256 ?? '', 'hex');
    return { id: e.id, role: e.role, keySha256, ...(e.institutionId !== undefined ? { institutionId: e.institutionId } : {}) };
  });
}

/** Build the AuthConfig from the environment (STRATUM_API_KEYS, STRATUM_JWT_*, STRATUM_METRICS_AUTH). */
export function authConfigFromEnv(
  env: Pick<Env, 'STRATUM_API_KEYS' | 'STRATUM_JWT_SECRET' | 'STRATUM_JWT_ISSUER' | 'STRATUM_JWT_AUDIENCE' | 'STRATUM_METRICS_AUTH'>,
): AuthConfig {
  let entries: unknown = [];
  if (env.STRATUM_API_KEYS !== undefined && env.STRATUM_API_KEYS.trim() !== '') {
    try {
      entries = JSON.parse(env.STRATUM_API_KEYS);
    } catch {
      throw new AuthConfigError('STRATUM_API_KEYS is not valid JSON (expected an array of {id, role, institutionId?, keySha256 | key})');
    }
  }
  if (!Array.isArray(entries)) throw new AuthConfigError('STRATUM_API_KEYS must be a JSON array');
  const config: AuthConfig = { apiKeys: apiKeyRecords(entries as ApiKeyEntry[]), metricsAccess: env.STRATUM_METRICS_AUTH };
  if (env.STRATUM_JWT_SECRET !== undefined) {
    config.jwt = { secret: env.STRATUM_JWT_SECRET, issuer: env.STRATUM_JWT_ISSUER, audience: env.STRATUM_JWT_AUDIENCE, clockToleranceSeconds: 30 };
  }
  return config;
}

/** A generated key for a bare-machine start: printed once, then only its hash is kept. */
export interface DemoKey {
  id: string;
  role: Role;
  institutionId?: string;
  key: string;
}

/**
 * Random keys for `npm start` on a bare machine: one per bureau role and one `clinic` key per
 * given institution. Production sets STRATUM_API_KEYS (with keySha256) instead and never uses
 * these. Keys come from the OS CSPRNG (a seeded Rng would make them guessable).
 */
export function demoKeys(institutionIds: readonly string[]): DemoKey[] {
  const fresh = (): string => `stk_${randomBytes(32).toString('base64url')}`;
  const keys: DemoKey[] = BUREAU_ROLES.map((role) => ({ id: `demo-${role}`, role, key: fresh() }));
  for (const institutionId of institutionIds) keys.push({ id: `demo-clinic-${institutionId}`, role: 'clinic', institutionId, key: fresh() });
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Authentication

/** Read the credential from the headers and return the principal, or throw UnauthorizedError. */
export function authenticate(headers: { authorization?: string | undefined; 'x-api-key'?: string | string[] | undefined }, config: AuthConfig, nowSeconds = Date.now() / 1000): Principal {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    const token = match[1];
    // Three dot-separated segments is a JWT (API keys are base64url without dots).
    return token.split('.').length === 3 ? verifyJwt(token, config, nowSeconds) : principalForApiKey(token, config);
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return principalForApiKey(apiKey, config);
  throw new UnauthorizedError();
}

function principalForApiKey(key: string, config: AuthConfig): Principal {
  const presented = hashApiKey(key);
  let found: ApiKeyRecord | undefined;
  // Compare against every record, without an early exit, so timing does not reveal the position.
  for (const record of config.apiKeys) {
    if (timingSafeEqual(presented, record.keySha256) && found === undefined) found = record;
  }
  if (!found) throw new UnauthorizedError('invalid credentials');
  return { id: found.id, role: found.role, via: 'api-key', ...(found.institutionId !== undefined ? { institutionId: found.institutionId } : {}) };
}

const JwtHeader = z.object({ alg: z.literal('HS256'), typ: z.string().optional() });
const JwtClaims = z.object({
  sub: z.string().min(1).max(128),
  role: z.enum(ROLES),
  institution_id: z.string().min(1).optional(),
  exp: z.number(),
  nbf: z.number().optional(),
  iat: z.number().optional(),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
});

function decodeJsonSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw new UnauthorizedError('invalid token');
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError('invalid token');
  }
}

function hmac(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data, 'utf8').digest();
}

/** Verify an HS256 JWT (RFC 7519) and return its principal; every failure is a 401. */
export function verifyJwt(token: string, config: AuthConfig, nowSeconds = Date.now() / 1000): Principal {
  const jwt = config.jwt;
  if (!jwt) throw new UnauthorizedError('invalid credentials');
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  if (headerPart === undefined || payloadPart === undefined || signaturePart === undefined) throw new UnauthorizedError('invalid token');
  // Pin the algorithm before anything else: `alg: none` and RS/HS confusion are refused here.
  if (!JwtHeader.safeParse(decodeJsonSegment(headerPart)).success) throw new UnauthorizedError('invalid token');
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) throw new UnauthorizedError('invalid token');
  const expected = hmac(jwt.secret, `${headerPart}.${payloadPart}`);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('invalid token signature');
  const claims = JwtClaims.safeParse(decodeJsonSegment(payloadPart));
  if (!claims.success) throw new UnauthorizedError('invalid token claims');
  const c = claims.data;
  if (nowSeconds >= c.exp + jwt.clockToleranceSeconds) throw new UnauthorizedError('token expired');
  if (c.nbf !== undefined && nowSeconds < c.nbf - jwt.clockToleranceSeconds) throw new UnauthorizedError('token not yet valid');
  if (c.iss !== jwt.issuer) throw new UnauthorizedError('invalid token issuer');
  const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!audiences.includes(jwt.audience)) throw new UnauthorizedError('invalid token audience');
  if (c.role === 'clinic' && c.institution_id === undefined) throw new UnauthorizedError('clinic token must carry institution_id');
  return { id: c.sub, role: c.role, via: 'jwt', ...(c.institution_id !== undefined ? { institutionId: c.institution_id } : {}) };
}

/** Sign HS256 claims (for tests and for tooling that issues service tokens). */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${head}.${hmac(secret, head).toString('base64url')}`;
}

// ---------------------------------------------------------------------------------------------
// Authorisation

/** Throw 403 unless the principal holds one of `roles`. */
export function assertRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) throw new ForbiddenError(`role ${principal.role} may not call this operation`);
}

/**
 * Throw 403 unless the principal may touch `institutionId`: a clinic only its own institution,
 * bureau roles every institution.
 */
export function assertInstitutionAccess(principal: Principal, institutionId: string): void {
  if (principal.role !== 'clinic') return;
  if (principal.institutionId !== institutionId) throw new ForbiddenError('this credential may only access its own institution');
}

/** Which institutions a principal may see, for routes that filter lists. */
export type InstitutionScope = { all: true } | { all: false; institutionId: string };

export function scopeForPrincipal(principal: Principal): InstitutionScope {
  if (principal.role !== 'clinic') return { all: true };
  // A clinic principal without an institution cannot be built (config and JWT checks refuse it);
  // refuse rather than widen if one ever appears.
  if (principal.institutionId === undefined) throw new ForbiddenError('clinic credential carries no institution');
  return { all: false, institutionId: principal.institutionId };
}
