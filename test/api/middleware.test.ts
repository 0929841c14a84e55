/** The stand-alone `validate` and `requireRole` middlewares, for routes mounted outside the registry. */
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requireRole } from '../../src/api/app.ts';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../src/api/errors.ts';
import { validate } from '../../src/api/validate.ts';

function run(handler: (req: Request, res: Response, next: NextFunction) => void, req: Partial<Request>, locals: Record<string, unknown> = {}): { res: Response; nextCalled: boolean } {
  const res = { locals } as unknown as Response;
  let nextCalled = false;
  handler(req as Request, res, () => {
    nextCalled = true;
  });
  return { res, nextCalled };
}

describe('validate()', () => {
  const middleware = validate({ params: z.object({ id: z.string().min(2) }), query: z.object({ n: z.coerce.number().int() }) });

  it('stores parsed parts on res.locals.validated', () => {
    const { res, nextCalled } = run(middleware, { params: { id: 'ab' }, query: { n: '7' } });
    expect(nextCalled).toBe(true);
    expect(res.locals.validated).toEqual({ params: { id: 'ab' }, query: { n: 7 } });
  });

  it('reports every failing part at once', () => {
    try {
      run(middleware, { params: { id: 'a' }, query: { n: 'x' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues?.map((i) => [i.location, i.path, i.rule])).toEqual([
        ['params', 'id', 'too_small'],
        ['query', 'n', 'invalid_type'],
      ]);
    }
  });
});

describe('requireRole()', () => {
  it('401 without a principal, 403 for another role, next() for an allowed one', () => {
    const onlyAdmin = requireRole('admin');
    expect(() => run(onlyAdmin, {})).toThrow(UnauthorizedError);
    expect(() => run(onlyAdmin, {}, { principal: { id: 'a', role: 'analyst', via: 'api-key' } })).toThrow(ForbiddenError);
    expect(run(onlyAdmin, {}, { principal: { id: 'a', role: 'admin', via: 'api-key' } }).nextCalled).toBe(true);
  });
});
