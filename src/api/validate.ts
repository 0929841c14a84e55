/**
 * zod validation at the HTTP edge: every failure becomes a 400 VALIDATION_FAILED whose issues
 * name the field path and the rule (STYLE.md item 4). Messages are zod's, which describe the rule,
 * not the value, so no member data is echoed back.
 */
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import type { ErrorIssue } from '../../data-contracts/v1/api/errors.ts';
import { ValidationError } from './errors.ts';

export type RequestLocation = ErrorIssue['location'];

/** Report at most this many issues: a 100k-member batch with one bad field each stays small. */
export const MAX_REPORTED_ISSUES = 100;

/** zod issues -> API issues (`members.3.id`, `invalid_type`). */
export function toApiIssues(location: RequestLocation, issues: readonly z.core.$ZodIssue[]): ErrorIssue[] {
  return issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
    location,
    path: issue.path.map((p) => (typeof p === 'symbol' ? p.description ?? '' : String(p))).join('.'),
    rule: issue.code,
    message: issue.message,
  }));
}

/** Parse one request part or throw ValidationError. */
export function parseRequestPart<S extends z.ZodType>(location: RequestLocation, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(toApiIssues(location, result.error.issues));
  return result.data;
}

/** Parsed request parts stored by `validate`, read with `validated(res)`. */
export interface ValidatedParts {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}

/**
 * Parse every declared part, reporting the failures of all parts at once.
 * Throws ValidationError; returns the parsed parts otherwise.
 */
export function parseRequestParts(schemas: { body?: z.ZodType | undefined; query?: z.ZodType | undefined; params?: z.ZodType | undefined }, source: ValidatedParts): ValidatedParts {
  const parts: ValidatedParts = {};
  const issues: ErrorIssue[] = [];
  for (const location of ['params', 'query', 'body'] as const) {
    const schema = schemas[location];
    if (!schema) continue;
    const result = schema.safeParse(source[location]);
    if (result.success) parts[location] = result.data;
    else issues.push(...toApiIssues(location, result.error.issues));
  }
  if (issues.length > 0) throw new ValidationError(issues.slice(0, MAX_REPORTED_ISSUES));
  return parts;
}

/**
 * Middleware for routes mounted outside the operation registry: parse the declared parts and store
 * the results on `res.locals.validated`.
 */
export function validate(schemas: { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType }): RequestHandler {
  return (req, res, next) => {
    res.locals.validated = parseRequestParts(schemas, { body: req.body, query: req.query, params: req.params });
    next();
  };
}
