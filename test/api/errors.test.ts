/** The one error shape, asserted exactly for every error type through the real app (STYLE.md item 4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, SECRET_MEMBER_ID, postJson, request, startApp, type RunningApp } from './harness.ts';

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

/** Requests carry a fixed id so bodies can be compared exactly. */
const RID = 'req-00000001';
const withId = { 'x-request-id': RID };

describe('error bodies', () => {
  it('400 VALIDATION_FAILED names each field path and rule', async () => {
    const res = await request(app.baseUrl, '/v1/test/members?dryRun=maybe', {
      method: 'POST',
      key: KEYS.admin,
      headers: { ...withId, 'content-type': 'application/json' },
      body: JSON.stringify({ members: [{ id: 'M1', age: 40 }, { id: 'M2', age: 40 }, { id: 'M3', age: 40 }, { id: 7, age: -1 }] }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'request validation failed',
        issues: [
          { location: 'query', path: 'dryRun', rule: 'invalid_value', message: 'Invalid option: expected one of "true"|"false"' },
          { location: 'body', path: 'members.3.id', rule: 'invalid_type', message: 'Invalid input: expected string, received number' },
          { location: 'body', path: 'members.3.age', rule: 'too_small', message: 'Too small: expected number to be >=0' },
        ],
        requestId: RID,
      },
    });
  });

  it('400 MALFORMED_JSON for a body that is not JSON', async () => {
    const res = await request(app.baseUrl, '/v1/test/members', { method: 'POST', key: KEYS.admin, headers: { ...withId, 'content-type': 'application/json' }, body: '{"members": [' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON', requestId: RID } });
  });

  it('413 PAYLOAD_TOO_LARGE above the default limit', async () => {
    const res = await request(app.baseUrl, '/v1/test/members', { method: 'POST', key: KEYS.admin, headers: { ...withId, 'content-type': 'application/json' }, body: JSON.stringify({ members: [], pad: 'x'.repeat(2000) }) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large (limit 1024 bytes)', requestId: RID } });
  });

  it('a route may declare a larger limit of its own', async () => {
    const ok = await postJson(app.baseUrl, '/v1/test/big', JSON.stringify({ blob: 'x'.repeat(10_000) }));
    expect(ok).toMatchObject({ status: 200, body: { count: 10_000 } });
    const tooBig = await postJson(app.baseUrl, '/v1/test/big', JSON.stringify({ blob: 'x'.repeat(70_000) }));
    expect(tooBig.status).toBe(413);
  });

  it('415 for a body that is not JSON-typed', async () => {
    const res = await request(app.baseUrl, '/v1/test/members', { method: 'POST', key: KEYS.admin, headers: { ...withId, 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request body must be application/json', requestId: RID } });
  });

  it.each([
    ['unprocessable', 422, { code: 'UNPROCESSABLE', message: 'member has no enrolment in the year' }],
    ['not-found', 404, { code: 'NOT_FOUND', message: 'no such job' }],
    ['conflict', 409, { code: 'CONFLICT', message: 'a job is already running for this period' }],
    ['unavailable', 503, { code: 'SERVICE_UNAVAILABLE', message: 'no champion model is loaded', reason: 'model_not_loaded' }],
  ])('%s -> %i with its code', async (kind, status, error) => {
    const res = await request(app.baseUrl, `/v1/test/fail/${kind}`, { key: KEYS.admin, headers: withId });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { ...error, requestId: RID } });
  });

  it('an unknown error is a bare 500 without its text; the text goes to the log only', async () => {
    const res = await request(app.baseUrl, '/v1/test/fail/boom', { key: KEYS.admin, headers: withId });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error', requestId: RID } });
    expect(JSON.stringify(res.body)).not.toContain(SECRET_MEMBER_ID);
    const logged = app.logs.find((line) => line.includes('unhandled error') && line.includes(RID));
    expect(logged).toBeDefined();
  });

  it('unknown route -> 404 JSON without echoing the path', async () => {
    const res = await request(app.baseUrl, '/nowhere/M-123', { headers: withId });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no such route', requestId: RID } });
  });

  it('unknown /v1 route asks for credentials first, then 404s', async () => {
    expect((await request(app.baseUrl, '/v1/nowhere')).status).toBe(401);
    expect((await request(app.baseUrl, '/v1/nowhere', { key: KEYS.admin })).status).toBe(404);
  });

  it('generates a request id when none (or a malformed one) is given', async () => {
    const res = await request(app.baseUrl, '/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('security headers and access log', () => {
  it('sets helmet headers and hides x-powered-by', async () => {
    const res = await request(app.baseUrl, '/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('logs route pattern, status and principal id, never the raw URL, key or body', async () => {
    const memberInPath = 'M-PATH-77';
    await request(app.baseUrl, `/v1/test/institutions/${memberInPath}`, { key: KEYS.admin, headers: { 'x-request-id': 'req-accesslog1' } });
    await postJson(app.baseUrl, '/v1/test/members', JSON.stringify({ members: [{ id: 'M-BODY-88', age: 50 }] }));
    // The access line is written on 'close', just after the response; give it a tick.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = app.logs.find((l) => l.includes('req-accesslog1'));
    expect(line).toBeDefined();
    const entry = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ method: 'GET', route: '/v1/test/institutions/:institutionId', status: 200, principal: 'k-admin', msg: 'request' });
    const all = app.logs.join('\n');
    expect(all).not.toContain(memberInPath);
    expect(all).not.toContain('M-BODY-88');
    expect(all).not.toContain(KEYS.admin);
  });
});
