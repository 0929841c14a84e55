/**
 * Start the real app on an ephemeral port (supertest is not installed) with a test route module,
 * a log captured in memory, and known credentials.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { Id } from '../../data-contracts/v1/common.ts';
import { createApp, type ApiDeps } from '../../src/api/app.ts';
import { apiKeyRecords, assertInstitutionAccess, type AuthConfig } from '../../src/api/auth.ts';
import { ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError } from '../../src/api/errors.ts';
import { Metrics } from '../../src/api/metrics.ts';
import { defineOperation } from '../../src/api/operations.ts';
import type { RouteModule } from '../../src/api/routes.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Database } from '../../src/store/database.ts';

export const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export const KEYS = {
  admin: 'admin-key-0123456789abcdef',
  analyst: 'analyst-key-0123456789abcdef',
  clinicA: 'clinic-a-key-0123456789abcdef',
  settlement: 'settlement-key-0123456789abcdef',
} as const;

export function testAuthConfig(): AuthConfig {
  return {
    apiKeys: apiKeyRecords([
      { id: 'k-admin', role: 'admin', key: KEYS.admin },
      { id: 'k-analyst', role: 'analyst', key: KEYS.analyst },
      { id: 'k-clinic-a', role: 'clinic', institutionId: 'INST-A', key: KEYS.clinicA },
      // Stored as a hash, as production does.
      { id: 'k-settlement', role: 'settlement', keySha256: createHash('sha256').update(KEYS.settlement, 'utf8').digest('hex') },
    ]),
    jwt: { secret: JWT_SECRET, issuer: 'stratum', audience: 'stratum-api', clockToleranceSeconds: 30 },
    metricsAccess: 'admin',
  };
}

export const MemberBatch = z
  .object({
    members: z.array(z.object({ id: Id, age: z.number().int().min(0).max(130) })).min(1),
  })
  .meta({ id: 'TestMemberBatch' });

export const CountBody = z.object({ count: z.number().int() }).meta({ id: 'TestCount' });

export const submitMembers = defineOperation({
  operationId: 'testSubmitMembers',
  method: 'post',
  path: '/v1/test/members',
  summary: 'Test route: validated body',
  roles: ['clinic', 'settlement', 'analyst', 'admin'],
  request: { body: MemberBatch, query: z.object({ dryRun: z.enum(['true', 'false']).optional() }) },
  responses: { 200: { description: 'counted', schema: CountBody } },
});

export const bigUpload = defineOperation({
  operationId: 'testBigUpload',
  method: 'post',
  path: '/v1/test/big',
  summary: 'Test route with its own larger body limit',
  roles: ['admin'],
  bodyLimit: '64kb',
  request: { body: z.object({ blob: z.string() }) },
  responses: { 200: { description: 'length', schema: CountBody } },
});

export const getInstitution = defineOperation({
  operationId: 'testGetInstitution',
  method: 'get',
  path: '/v1/test/institutions/:institutionId',
  summary: 'Test route scoped by institution',
  roles: ['clinic', 'settlement', 'analyst', 'admin'],
  request: { params: z.object({ institutionId: Id }) },
  responses: { 200: { description: 'the institution', schema: z.object({ institutionId: z.string() }) } },
});

export const adminOnly = defineOperation({
  operationId: 'testAdminOnly',
  method: 'get',
  path: '/v1/test/admin',
  summary: 'Test route for admins',
  roles: ['admin'],
  responses: { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } },
});

export const failWith = defineOperation({
  operationId: 'testFail',
  method: 'get',
  path: '/v1/test/fail/:kind',
  summary: 'Test route throwing each error type',
  roles: ['admin'],
  request: { params: z.object({ kind: z.string() }) },
  responses: { 200: { description: 'never' } },
});

export const auditedRead = defineOperation({
  operationId: 'testAuditedRead',
  method: 'post',
  path: '/v1/test/audited',
  summary: 'Test route that audits member access',
  roles: ['admin', 'clinic'],
  request: { body: z.object({ memberIds: z.array(Id) }) },
  responses: { 200: { description: 'ok', schema: CountBody } },
});

export const TEST_OPERATIONS = [submitMembers, bigUpload, getInstitution, adminOnly, failWith, auditedRead] as const;

/** A member id planted in an unknown error's message; it must never reach a client. */
export const SECRET_MEMBER_ID = 'M-SECRET-000123';

export const testRoutes: RouteModule = {
  name: 'test',
  register(routes) {
    routes.add(submitMembers, ({ body }) => ({ count: body.members.length }));
    routes.add(bigUpload, ({ body }) => ({ count: body.blob.length }));
    routes.add(getInstitution, ({ params, principal }) => {
      assertInstitutionAccess(principal, params.institutionId);
      return { institutionId: params.institutionId };
    });
    routes.add(adminOnly, () => ({ ok: true }));
    routes.add(failWith, ({ params }) => {
      switch (params.kind) {
        case 'unprocessable':
          throw new UnprocessableError('member has no enrolment in the year');
        case 'not-found':
          throw new NotFoundError('no such job');
        case 'conflict':
          throw new ConflictError('a job is already running for this period');
        case 'unavailable':
          throw new ServiceUnavailableError('model_not_loaded', 'no champion model is loaded');
        default:
          throw new Error(`lookup failed for member ${SECRET_MEMBER_ID}`);
      }
    });
    routes.add(auditedRead, async ({ body, audit }) => {
      await audit({ action: 'test.read', resource: 'test/audited', memberIds: body.memberIds, detail: { count: body.memberIds.length } });
      return { count: body.memberIds.length };
    });
  },
};

/** A Database that must not be touched (tests without audit rows). */
export const untouchableDb = new Proxy({} as Database, {
  get(_target, property) {
    if (property === 'then') return undefined;
    throw new Error(`test database used (${String(property)}) in a test that should not touch it`);
  },
});

export interface RunningApp {
  baseUrl: string;
  logs: string[];
  metrics: Metrics;
  close(): Promise<void>;
}

/** Start the app on port 0 with the test routes; overrides replace any dependency. */
export async function startApp(overrides: Partial<ApiDeps> = {}): Promise<RunningApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const metrics = overrides.metrics ?? new Metrics();
  const app = createApp({
    db: untouchableDb,
    logger: createLogger('info', sink),
    auth: testAuthConfig(),
    routes: [testRoutes],
    readiness: async () => ({ ready: true, checks: { store: { ok: true } } }),
    metrics,
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
    bodyLimit: '1kb',
    ...overrides,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    metrics,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** fetch returning status, headers and parsed JSON (or text). */
export async function request(baseUrl: string, path: string, init: RequestInit & { key?: string } = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set('x-api-key', init.key);
  const response = await fetch(baseUrl + path, { ...init, headers });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, headers: response.headers, body: json && text !== '' ? JSON.parse(text) : text };
}

/** POST a raw body with the JSON content type. */
export function postJson(baseUrl: string, path: string, body: string, key: string = KEYS.admin): ReturnType<typeof request> {
  return request(baseUrl, path, { method: 'POST', body, key, headers: { 'content-type': 'application/json' } });
}
