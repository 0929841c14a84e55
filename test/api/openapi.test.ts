/** /openapi.json generated from the declarations, the /docs page, and the typed client. */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ApiClientError, createClient } from '../../src/api/client.ts';
import { buildOpenApiDocument } from '../../src/api/openapi.ts';
import { OperationDeclarationError, OperationRegistry, defineOperation, toOpenApiPath } from '../../src/api/operations.ts';
import { SYSTEM_OPERATIONS } from '../../src/api/system-routes.ts';
import { KEYS, TEST_OPERATIONS, request, startApp, type RunningApp } from './harness.ts';

const ALL_OPERATIONS = [...SYSTEM_OPERATIONS, ...TEST_OPERATIONS] as const;

let app: RunningApp;
let doc: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document under inspection
beforeAll(async () => {
  app = await startApp();
  doc = (await request(app.baseUrl, '/openapi.json')).body as Record<string, unknown>;
});
afterAll(async () => {
  await app.close();
});

describe('/openapi.json', () => {
  it('is an OpenAPI 3.1 document with security schemes and the error response', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'Stratum API', version: 'v1' });
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearerAuth', 'apiKeyHeader']);
    expect(doc.components.schemas.ErrorBody.properties.error.required).toEqual(['code', 'message', 'requestId']);
  });

  it('lists every registered operation at its path and method', () => {
    for (const op of ALL_OPERATIONS) {
      const operation = doc.paths[toOpenApiPath(op.path)]?.[op.method];
      expect(operation, op.operationId).toBeDefined();
      expect(operation.operationId).toBe(op.operationId);
    }
    const documented = Object.values(doc.paths).flatMap((item) => Object.values(item as Record<string, { operationId: string }>).map((o) => o.operationId));
    expect(documented.sort()).toEqual(ALL_OPERATIONS.map((o) => o.operationId).sort());
  });

  it("includes a test route's schemas: named ones as components, parameters from params/query", () => {
    const submit = doc.paths['/v1/test/members'].post;
    expect(submit.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TestMemberBatch' });
    const batch = doc.components.schemas.TestMemberBatch;
    expect(batch.properties.members.minItems).toBe(1);
    expect(batch.properties.members.items.properties.age).toMatchObject({ type: 'integer', minimum: 0, maximum: 130 });
    expect(submit.parameters).toEqual([{ name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } }]);
    expect(submit.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TestCount' });
    expect(submit.responses['400']).toEqual({ $ref: '#/components/responses/Error' });
    expect(submit['x-stratum-roles']).toEqual(['clinic', 'settlement', 'analyst', 'admin']);
    const institution = doc.paths['/v1/test/institutions/{institutionId}'].get;
    expect(institution.parameters[0]).toMatchObject({ name: 'institutionId', in: 'path', required: true });
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/v1/test/big'].post['x-stratum-body-limit']).toBe('64kb');
  });

  it('has no dangling $ref', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const [, kind, name] = /#\/components\/(schemas|responses)\/([^"]+)/.exec(ref) ?? [];
      expect(kind && name && doc.components[kind][name], ref).toBeTruthy();
    }
  });

  it('refuses an id reused for two different shapes and duplicate operations', () => {
    const Thing = z.object({ n: z.string().transform(Number) }).meta({ id: 'Thing' });
    const op = defineOperation({ operationId: 'echoThing', method: 'post', path: '/v1/thing', summary: 's', roles: ['admin'], request: { body: Thing }, responses: { 200: { description: 'd', schema: Thing } } });
    expect(() => buildOpenApiDocument([op], { title: 't', version: '1' })).toThrow(OperationDeclarationError);
    const registry = new OperationRegistry();
    registry.add(op);
    expect(() => registry.add({ ...op, operationId: 'other' })).toThrow(/already declared/);
    expect(() => registry.add({ ...op, path: '/v1/thing/:id', operationId: 'noParams' })).toThrow(/request.params/);
    expect(() => registry.add({ ...op, path: '/v1/open', operationId: 'openV1', roles: 'public' })).toThrow(/cannot be public/);
  });
});

describe('/docs', () => {
  it('serves a self-contained page and its same-origin script', async () => {
    const page = await request(app.baseUrl, '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<script src="/docs/docs.js"></script>');
    expect(page.body).not.toMatch(/https?:\/\//);
    const script = await request(app.baseUrl, '/docs/docs.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(script.body).toContain("fetch('/openapi.json')");
  });
});

describe('typed client', () => {
  it('calls operations by id with typed input and output', async () => {
    const client = createClient({ baseUrl: app.baseUrl, operations: ALL_OPERATIONS, apiKey: KEYS.clinicA });
    const health = await client.call('getHealth');
    expectTypeOf(health).toEqualTypeOf<{ status: 'ok' }>();
    expect(health).toEqual({ status: 'ok' });
    const counted = await client.call('testSubmitMembers', { body: { members: [{ id: 'M1', age: 3 }] }, query: { dryRun: 'true' } });
    expectTypeOf(counted).toEqualTypeOf<{ count: number }>();
    expect(counted).toEqual({ count: 1 });
    expect(await client.call('testGetInstitution', { params: { institutionId: 'INST-A' } })).toEqual({ institutionId: 'INST-A' });
  });

  it('throws ApiClientError carrying the error body', async () => {
    const client = createClient({ baseUrl: app.baseUrl, operations: ALL_OPERATIONS, apiKey: KEYS.clinicA });
    const error = await client.call('testGetInstitution', { params: { institutionId: 'INST-B' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect((error as ApiClientError).status).toBe(403);
    expect((error as ApiClientError).code).toBe('FORBIDDEN');
    const raw = await client.send('getMetrics');
    expect(raw.status).toBe(403);
  });

  it('sends JWTs as bearer tokens and reads text responses', async () => {
    const client = createClient({ baseUrl: app.baseUrl, operations: ALL_OPERATIONS, bearer: KEYS.admin });
    expect(await client.call('getMetrics')).toContain('stratum_http_requests_total');
  });
});
