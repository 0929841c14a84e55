/**
 * The one error body every Stratum HTTP response uses (STYLE.md item 4). Messages reach clients,
 * so they never carry member identifiers or values from member records (STYLE.md, MLflow habit).
 */
import { z } from 'zod';

/** One field-level problem: where it is, which rule it broke, and a readable message. */
export const ErrorIssue = z
  .object({
    /** Which part of the request the path is relative to. */
    location: z.enum(['body', 'query', 'params']),
    /** Dotted path inside that part, e.g. `members.3.id`; empty for the part itself. */
    path: z.string(),
    /** The rule broken, zod's issue code (`invalid_type`, `too_small`, `invalid_format`, ...). */
    rule: z.string(),
    message: z.string(),
  })
  .meta({ id: 'ErrorIssue' });

export type ErrorIssue = z.infer<typeof ErrorIssue>;

/** Stable machine-readable error codes; clients switch on these, never on `message`. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNPROCESSABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'BAD_REQUEST',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** `{ "error": { code, message, issues?, reason?, retryAfterSeconds?, requestId } }`. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      /** Field-level problems (400 VALIDATION_FAILED, sometimes 422). */
      issues: z.array(ErrorIssue).optional(),
      /** Why the service is unavailable (503), e.g. `model_not_loaded`. */
      reason: z.string().optional(),
      /** Seconds until a rate-limited client may retry (429); also sent as `Retry-After`. */
      retryAfterSeconds: z.number().int().nonnegative().optional(),
      /** The request's X-Request-Id, to quote when reporting a problem. */
      requestId: z.string(),
    }),
  })
  .meta({ id: 'ErrorBody' });

export type ErrorBody = z.infer<typeof ErrorBody>;
