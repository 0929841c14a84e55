/**
 * Malformed input at every real route (Stratum issue 4, item 5), on both engines: the served app
 * (`serve`) over a small generated population with logistic models for every task and a tiny
 * bureau risk model, and fast-check generating bodies (arbitrary JSON, near misses of each
 * operation's schema, text that is not JSON), path parameters, query strings and content types,
 * sent with a credential of a role the route allows, of one it does not, a garbage one, and none.
 *
 * Whatever arrives: never a 500 (a 503 only with its SERVICE_UNAVAILABLE body); every non-2xx is
 * the one ErrorBody shape carrying the response's X-Request-Id; a 400 VALIDATION_FAILED lists its
 * issues with location, path and rule; the role check and authentication answer first (403/401).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { z } from 'zod';
import { ErrorBody } from '../../data-contracts/v1/api/errors.ts';
import type { OperationSpec } from '../../src/api/operations.ts';
import { SCORING_OPERATIONS } from '../../src/api/routes/scoring.ts';
import { SETTLEMENT_OPERATIONS } from '../../src/api/routes/settlement.ts';
import { SYSTEM_OPERATIONS } from '../../src/api/system-routes.ts';
import { loadEnv } from '../../src/config/env.ts';
import { TASKS } from '../../src/features/tasks.ts';
import { DEFAULT_POPULATION_OPTIONS } from '../../src/generator/population.ts';
import { writePopulation } from '../../src/generator/population-files.ts';
import { loadPopulation } from '../../src/ingest/loader.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { serve, type RunningService } from '../../src/service/server.ts';
import { trainTask } from '../../training/train-task.ts';
import { writeTinyModelVersions } from '../capitation/fixtures.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const OPERATIONS: readonly OperationSpec[] = [...SYSTEM_OPERATIONS, ...SCORING_OPERATIONS, ...SETTLEMENT_OPERATIONS];
const ROLES = ['clinic', 'settlement', 'analyst', 'admin'] as const;
const AS_OF = '2026-06-30';
/** Runs per operation and credential kind: ~17 operations x 4 kinds stay well under a minute. */
const RUNS_ALLOWED = 30;
const RUNS_OTHER = 6;

const work = mkdtempSync(path.join(tmpdir(), 'stratum-routes-property-'));
const populationDir = path.join(work, 'population');
let populationWritten: Promise<unknown> | undefined;
const tinyRiskModels = writeTinyModelVersions([1]);
const logger = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(tinyRiskModels, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Generators

/** Values that are right somewhere and wrong almost everywhere. */
function wrongValue(valid: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...valid),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('x'.repeat(70_000), 'é'.repeat(5_000), '\u0000', ' ', '', '2026-02-30', '0000-00-00', '199999999999999999', '-1', 'NaN', '__proto__'),
    fc.integer({ max: -1 }),
    fc.double(),
    fc.constantFrom(0, 1, 2026, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
  );
}

/** The top-level keys an operation's body schema declares (zod objects, refined or strict). */
function bodyKeys(op: OperationSpec): string[] {
  const schema = op.request?.body as (z.ZodType & { shape?: Record<string, unknown> }) | undefined;
  return schema?.shape ? Object.keys(schema.shape) : [];
}

/** A JSON text for a body: arbitrary values, near misses of the schema, or not JSON at all. */
function bodyText(op: OperationSpec, valid: readonly unknown[], base: Record<string, unknown> | undefined): fc.Arbitrary<string> {
  const keys = bodyKeys(op);
  const wrongRecord = fc.record(Object.fromEntries(keys.map((k) => [k, wrongValue(valid)])), { requiredKeys: [] });
  const nearMiss = keys.length ? wrongRecord.map((o) => JSON.stringify(o)) : fc.constant('{}');
  const arrayWhereObject = keys.length ? fc.array(wrongRecord, { maxLength: 3 }).map((a) => JSON.stringify(a)) : fc.constant('[]');
  // A valid body with one field dropped, replaced by a wrong value, or an unknown field added:
  // these get past the media type and JSON checks and probe one rule at a time (or pass, and
  // reach the handler with its store and model work).
  const oneOff = base
    ? fc.oneof(
        fc.constant(base),
        fc.constantFrom(...Object.keys(base)).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))),
        fc.tuple(fc.constantFrom(...Object.keys(base)), wrongValue(valid)).map(([k, v]) => ({ ...base, [k]: v })),
        fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), wrongValue(valid)).map(([k, v]) => ({ ...base, [k]: v })),
      ).map((o) => JSON.stringify(o))
    : nearMiss;
  return fc.oneof(
    { weight: 2, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 2, arbitrary: fc.json() },
    { weight: 3, arbitrary: nearMiss },
    { weight: 5, arbitrary: oneOff },
    { weight: 1, arbitrary: arrayWhereObject },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"member_id":', 'nul', '"\\ud800"', '[1,2', '{"a":1}}', '\ufeff{}') },
  );
}

/** A path parameter: a valid-looking value, arbitrary text, or a traversal / encoding trick. */
function pathParam(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...valid).map(encodeURIComponent),
    fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom('..', '%2e%2e', '%2F', '%00', '%zz', '%E0%A4%A', 'job-' + '0'.repeat(36), 'ra-00000000-0000-0000-0000-000000000000', 'x'.repeat(300), '%20'),
  );
}

/** A query string: known keys with wrong values, repeated keys (arrays), unknown keys, bad encoding. */
function queryString(op: OperationSpec, valid: readonly string[]): fc.Arbitrary<string> {
  const schema = op.request?.query as (z.ZodType & { shape?: Record<string, unknown> }) | undefined;
  const keys = [...(schema?.shape ? Object.keys(schema.shape) : []), 'limit', 'cursor', 'x', 'a[b]', '__proto__'];
  const value = fc.oneof(fc.constantFrom(...valid, '5000', '5001', '0', '-1', '1e3', '', 'severe', 'readmission', 'onset-chd'), fc.string({ maxLength: 30 }), fc.constant('z'.repeat(300)));
  const pairs = fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 5 }).map((list) => list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  return fc.oneof({ weight: 4, arbitrary: pairs }, { weight: 1, arbitrary: fc.constantFrom('%', 'limit=%zz', 'limit[]=1&limit[]=2', 'class[$ne]=x', '&&&', 'cursor=' + 'A'.repeat(150)) });
}

/** Mostly JSON (so most requests reach validation), sometimes another type or none. */
const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  { weight: 2, arbitrary: fc.constantFrom('application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', null) },
);

// ---------------------------------------------------------------------------------------------

interface Exchange {
  status: number;
  requestId: string | null;
  contentType: string;
  text: string;
}

/** Every non-2xx is an ErrorBody with the response's request id; 400 validation lists its issues. */
function expectWellFormedAnswer(res: Exchange, what: string): void {
  const label = `${what} -> ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, label).not.toBe(500);
  expect(res.status < 500 || res.status === 503, label).toBe(true);
  if (res.status >= 200 && res.status < 300) return;
  expect(res.contentType, label).toContain('application/json');
  const parsed = ErrorBody.safeParse(JSON.parse(res.text));
  expect(parsed.success, label).toBe(true);
  const error = parsed.data!.error;
  expect(error.requestId, label).toBe(res.requestId);
  if (res.status === 503) expect(error.code, label).toBe('SERVICE_UNAVAILABLE');
  if (res.status === 400) {
    expect(['VALIDATION_FAILED', 'MALFORMED_JSON', 'BAD_REQUEST'], label).toContain(error.code);
    if (error.code === 'VALIDATION_FAILED') {
      expect(error.issues?.length ?? 0, label).toBeGreaterThan(0);
      for (const issue of error.issues!) {
        expect(['body', 'query', 'params'], label).toContain(issue.location);
        expect(typeof issue.path, label).toBe('string');
        expect(issue.rule.length, label).toBeGreaterThan(0);
      }
    }
  }
}

describeEachEngine('every route under malformed input', (getDb, ctx) => {
  let service: RunningService;
  let memberId: string;
  let institutionId: string;
  const keyOf = (role: (typeof ROLES)[number]) => service.keys!.find((k) => k.role === role && (role !== 'clinic' || k.institutionId === institutionId))!.key;

  beforeAll(async () => {
    populationWritten ??= writePopulation({ ...DEFAULT_POPULATION_OPTIONS, members: 1_000, seed: 33 }, populationDir);
    await populationWritten;
    const db = getDb();
    await loadPopulation(db, { from: populationDir });
    const modelsDir = path.join(work, `models-${ctx.engine}`);
    for (const task of TASKS) await trainTask({ db, task, learners: ['logreg'], seed: 1, modelsDir, folds: 3 });
    cpSync(tinyRiskModels, path.join(modelsDir, 'risk-adjustment'), { recursive: true });
    const env = { ...loadEnv(), STRATUM_DATA_DIR: path.join(work, `var-${ctx.engine}`), STRATUM_API_KEYS: undefined, STRATUM_JWT_SECRET: undefined, STRATUM_RATE_LIMIT_PER_SECOND: 0 };
    service = await serve(db, { port: 0, seed: false, modelsDir, env, logger, today: () => AS_OF, closeDb: false });
    await service.seeded;
    const signup = await db.query<{ member_id: string; institution_id: string }>(`SELECT member_id, institution_id FROM signup ORDER BY member_id LIMIT 1`);
    memberId = signup.rows[0]!.member_id;
    institutionId = signup.rows[0]!.institution_id;
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
  });

  /** Send one generated request; the path template's parameters are filled with `params`. */
  async function send(op: OperationSpec, params: string[], query: string, body: string | undefined, contentType: string | null, authorization: string | null): Promise<Exchange> {
    let i = 0;
    const url = `${service.url}${op.path.replace(/:([A-Za-z_]+)/g, () => params[i++] ?? 'x')}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {};
    if (authorization !== null) headers.authorization = authorization;
    if (contentType !== null && body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(url, { method: op.method.toUpperCase(), headers, ...(op.method === 'get' ? {} : { body: body ?? '' }) });
    return { status: response.status, requestId: response.headers.get('x-request-id'), contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  /** One valid body per POST operation, for the one-field-off variants. */
  const validBodies = (): Record<string, Record<string, unknown>> => ({
    scoreMember: { member_id: memberId, as_of: AS_OF },
    scoreBatch: { member_ids: [memberId, 'NOPE-1'], as_of: AS_OF },
    createScoringJob: { as_of: AS_OF, institution_id: institutionId },
    createRiskAdjustment: { period: 2026, institution_id: institutionId, base_standard: '3600.00', model: 'champion' },
    previewSettlement: { risk_adjustment_id: 'ra-00000000-0000-0000-0000-000000000000', overspend_justified: false },
    createSettlement: { risk_adjustment_id: 'ra-00000000-0000-0000-0000-000000000000' },
    supersedeSettlement: { reason: 'accepted appeal', risk_adjustment_id: 'ra-00000000-0000-0000-0000-000000000000' },
  });

  const requestArbitrary = (op: OperationSpec) => {
    const validStrings = [memberId, institutionId, AS_OF, 'champion', '3600.00', 'job-00000000-0000-0000-0000-000000000000', 'stl-00000000-0000-0000-0000-000000000000'];
    const validValues = [...validStrings, 2026, [memberId], ['NOPE-1', memberId]];
    const paramCount = (op.path.match(/:/g) ?? []).length;
    return fc.record({
      params: fc.array(pathParam(validStrings), { minLength: paramCount, maxLength: paramCount }),
      query: queryString(op, validStrings),
      body: op.method === 'get' ? fc.constant(undefined) : bodyText(op, validValues, validBodies()[op.operationId]),
      contentType,
    });
  };

  for (const op of OPERATIONS) {
    const allowed = op.roles === 'public' ? ROLES : ROLES.filter((r) => (op.roles as readonly string[]).includes(r));
    const denied = op.roles === 'public' ? [] : ROLES.filter((r) => !(op.roles as readonly string[]).includes(r));
    const what = `${op.method.toUpperCase()} ${op.path}`;

    it(`${what}: an allowed role never gets a 500 or a malformed error`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), fc.constantFrom(...allowed), async (req, role) => {
          const res = await send(op, req.params, req.query, req.body, req.contentType, `Bearer ${keyOf(role)}`);
          expectWellFormedAnswer(res, `${what} as ${role} ${JSON.stringify(req).slice(0, 400)}`);
          // The media type is checked before the body is read: a non-empty body in another type is 415.
          if (op.request?.body !== undefined && req.body && req.contentType !== null && !req.contentType.startsWith('application/json')) expect([404, 415]).toContain(res.status);
        }),
        { numRuns: RUNS_ALLOWED, seed: 4_0517 },
      );
    }, 60_000);

    if (op.roles !== 'public')
      it(`${what}: without credentials, or with a garbage one, 401 whatever the input`, async () => {
        await fc.assert(
          fc.asyncProperty(requestArbitrary(op), fc.constantFrom(null, 'Bearer nope', 'Basic Zm9vOmJhcg==', 'Bearer ', 'bearer ' + 'k'.repeat(2000)), async (req, authorization) => {
            const res = await send(op, req.params, req.query, req.body, req.contentType, authorization);
            expectWellFormedAnswer(res, `${what} unauthenticated ${JSON.stringify(req).slice(0, 400)}`);
            expect(res.status).toBe(401);
          }),
          { numRuns: RUNS_OTHER, seed: 4_0518 },
        );
      }, 30_000);

    if (denied.length > 0)
      it(`${what}: a role the route does not allow gets 403 whatever the input`, async () => {
        await fc.assert(
          // Path parameters stay inside their segment here ('.' and '..' would name another route: 404).
          fc.asyncProperty(requestArbitrary(op).filter((r) => r.params.every((p) => !['.', '..', '%2e%2e'].includes(p))), fc.constantFrom(...denied), async (req, role) => {
            const res = await send(op, req.params, req.query, req.body, req.contentType, `Bearer ${keyOf(role)}`);
            expectWellFormedAnswer(res, `${what} as ${role}`);
            expect(res.status).toBe(403);
          }),
          { numRuns: RUNS_OTHER, seed: 4_0519 },
        );
      }, 30_000);
  }

  it('the near-miss generator reaches validation: a wrong-typed score body is a 400 naming body.member_id', async () => {
    const res = await send(SCORING_OPERATIONS[0], [], '', JSON.stringify({ member_id: -5 }), 'application/json', `Bearer ${keyOf('analyst')}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ location: 'body', path: 'member_id', rule: 'invalid_type' })] } });
  });
});
