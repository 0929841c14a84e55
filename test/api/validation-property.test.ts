/** Whatever a client throws at a validated route, the answer is a 4xx in the error shape, never a 500. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../data-contracts/v1/api/errors.ts';
import { postJson, startApp, type RunningApp } from './harness.ts';

let app: RunningApp;
beforeAll(async () => {
  app = await startApp({ bodyLimit: '16kb' });
});
afterAll(async () => {
  await app.close();
});

function memberish(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.jsonValue(),
    fc.record({ members: fc.array(fc.record({ id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), age: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
  );
}

describe('malformed bodies never yield 500', () => {
  it('arbitrary JSON values and near-miss batches', async () => {
    await fc.assert(
      fc.asyncProperty(memberish(), async (value) => {
        const res = await postJson(app.baseUrl, '/v1/test/members', JSON.stringify(value) ?? 'null');
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(ErrorBody.safeParse(res.body).success).toBe(true);
      }),
      { numRuns: 80, seed: 20240401 },
    );
  });

  it('arbitrary text claiming to be JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
        const res = await postJson(app.baseUrl, '/v1/test/members', text);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(ErrorBody.safeParse(res.body).success).toBe(true);
      }),
      { numRuns: 50, seed: 20240402 },
    );
  });
});
