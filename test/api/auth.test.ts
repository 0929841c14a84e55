/** Authentication (API keys, HS256 JWTs) and authorisation (roles, institution scope). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  apiKeyRecords,
  assertInstitutionAccess,
  authConfigFromEnv,
  authenticate,
  demoKeys,
  hashApiKey,
  scopeForPrincipal,
  signJwt,
  verifyJwt,
} from '../../src/api/auth.ts';
import { ForbiddenError, UnauthorizedError } from '../../src/api/errors.ts';
import { loadEnv } from '../../src/config/env.ts';
import { JWT_SECRET, KEYS, request, startApp, testAuthConfig, type RunningApp } from './harness.ts';

const NOW = 1_750_000_000;
const config = testAuthConfig();

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'svc-1', role: 'analyst', iss: 'stratum', aud: 'stratum-api', exp: NOW + 600, ...overrides };
}

describe('API keys', () => {
  it('accepts a key by X-API-Key or Bearer, including one configured as a hash', () => {
    expect(authenticate({ 'x-api-key': KEYS.admin }, config, NOW)).toEqual({ id: 'k-admin', role: 'admin', via: 'api-key' });
    expect(authenticate({ authorization: `Bearer ${KEYS.clinicA}` }, config, NOW)).toEqual({ id: 'k-clinic-a', role: 'clinic', institutionId: 'INST-A', via: 'api-key' });
    expect(authenticate({ 'x-api-key': KEYS.settlement }, config, NOW).id).toBe('k-settlement');
  });

  it('refuses missing and wrong keys with 401', () => {
    expect(() => authenticate({}, config, NOW)).toThrow(UnauthorizedError);
    expect(() => authenticate({ 'x-api-key': 'wrong-key-0123456789' }, config, NOW)).toThrow(UnauthorizedError);
    expect(() => authenticate({ authorization: 'Basic abc' }, config, NOW)).toThrow(UnauthorizedError);
  });

  it('refuses a clinic key without institution, duplicate ids, and both key forms at once', () => {
    expect(() => apiKeyRecords([{ id: 'c', role: 'clinic', key: 'k'.repeat(20) }])).toThrow(/institutionId/);
    expect(() => apiKeyRecords([{ id: 'a', role: 'admin', key: 'k'.repeat(20) }, { id: 'a', role: 'admin', key: 'j'.repeat(20) }])).toThrow(/duplicate/);
    expect(() => apiKeyRecords([{ id: 'a', role: 'admin', key: 'k'.repeat(20), keySha256: 'ab'.repeat(32) }])).toThrow(/exactly one/);
  });

  it('a configuration error never quotes the key', () => {
    const secret = 'short';
    try {
      apiKeyRecords([{ id: 'a', role: 'admin', key: secret }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthConfigError);
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('reads STRATUM_API_KEYS and the JWT settings from the environment', () => {
    const env = loadEnv({ STRATUM_API_KEYS: JSON.stringify([{ id: 'x', role: 'admin', keySha256: hashApiKey('a'.repeat(20)).toString('hex') }]), STRATUM_JWT_SECRET: JWT_SECRET });
    const fromEnv = authConfigFromEnv(env);
    expect(fromEnv.apiKeys.map((k) => k.id)).toEqual(['x']);
    expect(fromEnv.jwt).toEqual({ secret: JWT_SECRET, issuer: 'stratum', audience: 'stratum-api', clockToleranceSeconds: 30 });
    expect(fromEnv.metricsAccess).toBe('admin');
    expect(() => authConfigFromEnv(loadEnv({ STRATUM_API_KEYS: '{nope' }))).toThrow(AuthConfigError);
  });

  it('demo keys: one per bureau role and one clinic key per institution, random and distinct', () => {
    const keys = demoKeys(['INST-1', 'INST-2']);
    expect(keys.map((k) => [k.role, k.institutionId])).toEqual([
      ['settlement', undefined],
      ['analyst', undefined],
      ['admin', undefined],
      ['clinic', 'INST-1'],
      ['clinic', 'INST-2'],
    ]);
    expect(new Set(keys.map((k) => k.key)).size).toBe(5);
    const records = apiKeyRecords(keys);
    const clinic = keys[3];
    expect(authenticate({ 'x-api-key': clinic?.key }, { apiKeys: records, metricsAccess: 'admin' }, NOW)).toMatchObject({ role: 'clinic', institutionId: 'INST-1' });
  });
});

describe('JWT (HS256)', () => {
  it('accepts a valid token and maps its claims', () => {
    const token = signJwt(claims({ role: 'clinic', institution_id: 'INST-B' }), JWT_SECRET);
    expect(verifyJwt(token, config, NOW)).toEqual({ id: 'svc-1', role: 'clinic', institutionId: 'INST-B', via: 'jwt' });
    expect(authenticate({ authorization: `Bearer ${token}` }, config, NOW).via).toBe('jwt');
  });

  it.each([
    ['expired', claims({ exp: NOW - 31 }), 'token expired'],
    ['not yet valid', claims({ nbf: NOW + 120 }), 'token not yet valid'],
    ['wrong issuer', claims({ iss: 'someone' }), 'invalid token issuer'],
    ['wrong audience', claims({ aud: ['other'] }), 'invalid token audience'],
    ['no exp', { sub: 'a', role: 'admin', iss: 'stratum', aud: 'stratum-api' }, 'invalid token claims'],
    ['unknown role', claims({ role: 'root' }), 'invalid token claims'],
    ['clinic without institution', claims({ role: 'clinic' }), 'clinic token must carry institution_id'],
  ])('refuses %s', (_name, payload, message) => {
    expect(() => verifyJwt(signJwt(payload, JWT_SECRET), config, NOW)).toThrow(message);
  });

  it('honours the clock tolerance at the exp boundary', () => {
    expect(verifyJwt(signJwt(claims({ exp: NOW - 29 }), JWT_SECRET), config, NOW).id).toBe('svc-1');
  });

  it('refuses a wrong signature, alg none and a tampered payload', () => {
    expect(() => verifyJwt(signJwt(claims(), 'another-secret-another-secret-xx'), config, NOW)).toThrow('invalid token signature');
    const [, payload] = signJwt(claims(), JWT_SECRET).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(() => verifyJwt(none, config, NOW)).toThrow(UnauthorizedError);
    const [head, , sig] = signJwt(claims(), JWT_SECRET).split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url')}.${sig}`;
    expect(() => verifyJwt(tampered, config, NOW)).toThrow('invalid token signature');
  });

  it('refuses every JWT when no secret is configured', () => {
    expect(() => verifyJwt(signJwt(claims(), JWT_SECRET), { apiKeys: [], metricsAccess: 'admin' }, NOW)).toThrow(UnauthorizedError);
  });
});

describe('institution scope', () => {
  const clinic = { id: 'c', role: 'clinic' as const, institutionId: 'INST-A', via: 'api-key' as const };
  const analyst = { id: 'a', role: 'analyst' as const, via: 'api-key' as const };

  it('a clinic touches only its own institution; bureau roles touch all', () => {
    expect(() => assertInstitutionAccess(clinic, 'INST-A')).not.toThrow();
    expect(() => assertInstitutionAccess(clinic, 'INST-B')).toThrow(ForbiddenError);
    expect(() => assertInstitutionAccess(analyst, 'INST-B')).not.toThrow();
    expect(scopeForPrincipal(clinic)).toEqual({ all: false, institutionId: 'INST-A' });
    expect(scopeForPrincipal(analyst)).toEqual({ all: true });
  });
});

describe('through the app', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });
  const RID = { 'x-request-id': 'req-auth-0001' };

  it('no credentials -> 401 with WWW-Authenticate', async () => {
    const res = await request(app.baseUrl, '/v1/test/admin', { headers: RID });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="stratum"');
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required', requestId: 'req-auth-0001' } });
  });

  it('wrong key -> 401', async () => {
    const res = await request(app.baseUrl, '/v1/test/admin', { key: 'not-a-key-0123456789', headers: RID });
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'invalid credentials', requestId: 'req-auth-0001' } });
  });

  it('expired and badly signed JWTs -> 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt({ sub: 's', role: 'admin', iss: 'stratum', aud: 'stratum-api', exp: now - 3600 }, JWT_SECRET);
    const forged = signJwt({ sub: 's', role: 'admin', iss: 'stratum', aud: 'stratum-api', exp: now + 3600 }, 'forged-secret-forged-secret-forged');
    const a = await request(app.baseUrl, '/v1/test/admin', { headers: { ...RID, authorization: `Bearer ${expired}` } });
    const b = await request(app.baseUrl, '/v1/test/admin', { headers: { ...RID, authorization: `Bearer ${forged}` } });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect((a.body as { error: { message: string } }).error.message).toBe('token expired');
    const valid = signJwt({ sub: 's', role: 'admin', iss: 'stratum', aud: 'stratum-api', exp: now + 3600 }, JWT_SECRET);
    expect((await request(app.baseUrl, '/v1/test/admin', { headers: { authorization: `Bearer ${valid}` } })).status).toBe(200);
  });

  it('wrong role -> 403', async () => {
    const res = await request(app.baseUrl, '/v1/test/admin', { key: KEYS.analyst, headers: RID });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'FORBIDDEN', message: 'role analyst may not call this operation', requestId: 'req-auth-0001' } });
  });

  it('clinic: own institution 200, another institution 403; bureau role sees both', async () => {
    expect((await request(app.baseUrl, '/v1/test/institutions/INST-A', { key: KEYS.clinicA })).status).toBe(200);
    const other = await request(app.baseUrl, '/v1/test/institutions/INST-B', { key: KEYS.clinicA, headers: RID });
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ error: { code: 'FORBIDDEN', message: 'this credential may only access its own institution', requestId: 'req-auth-0001' } });
    expect((await request(app.baseUrl, '/v1/test/institutions/INST-B', { key: KEYS.analyst })).status).toBe(200);
  });

  it('/health and /ready need no credentials', async () => {
    expect(await request(app.baseUrl, '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await request(app.baseUrl, '/ready')).toMatchObject({ status: 200, body: { ready: true, checks: { store: { ok: true } } } });
  });
});
