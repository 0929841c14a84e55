/**
 * Typed errors of the HTTP edge. Domain code and routes throw these; the one error handler in
 * app.ts maps them to their status and the ErrorBody shape (STYLE.md item 4, medplum habit).
 * `message` reaches the client: never put member identifiers or record values in it.
 */
import type { ErrorCode, ErrorIssue } from '../../data-contracts/v1/api/errors.ts';

/** Base class: a stable `code`, the HTTP `status`, and optional response headers. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: ErrorIssue[] | undefined;
  /** Extra headers the response carries (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, options: { issues?: ErrorIssue[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.issues = options.issues;
    this.headers = options.headers ?? {};
  }
}

/** 400: the request does not match its schema; `issues` name each bad field and rule. */
export class ValidationError extends ApiError {
  constructor(issues: ErrorIssue[], message = 'request validation failed') {
    super(400, 'VALIDATION_FAILED', message, { issues });
  }
}

/** 400: the body is not parseable JSON. */
export class MalformedJsonError extends ApiError {
  constructor() {
    super(400, 'MALFORMED_JSON', 'request body is not valid JSON');
  }
}

/** 400: some other malformed request (bad encoding, aborted upload). */
export class BadRequestError extends ApiError {
  constructor(message = 'bad request') {
    super(400, 'BAD_REQUEST', message);
  }
}

/** 422: well-formed but cannot be processed (e.g. a member with no enrolment in the year). */
export class UnprocessableError extends ApiError {
  constructor(message: string, issues?: ErrorIssue[]) {
    super(422, 'UNPROCESSABLE', message, issues ? { issues } : {});
  }
}

/** 401: no credentials, or credentials that do not verify. */
export class UnauthorizedError extends ApiError {
  constructor(message = 'authentication required') {
    super(401, 'UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': 'Bearer realm="stratum"' } });
  }
}

/** 403: authenticated, but the role or institution scope does not allow this. */
export class ForbiddenError extends ApiError {
  constructor(message = 'forbidden') {
    super(403, 'FORBIDDEN', message);
  }
}

/** 404: no such resource (or no such route). */
export class NotFoundError extends ApiError {
  constructor(message = 'not found') {
    super(404, 'NOT_FOUND', message);
  }
}

/** 409: conflicts with the current state (e.g. a job already running for that period). */
export class ConflictError extends ApiError {
  constructor(message: string) {
    super(409, 'CONFLICT', message);
  }
}

/** 413: the body exceeds the route's limit. */
export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes?: number) {
    super(413, 'PAYLOAD_TOO_LARGE', limitBytes === undefined ? 'request body too large' : `request body too large (limit ${limitBytes} bytes)`);
  }
}

/** 415: a body in a format the route does not take. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(message = 'request body must be application/json') {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
}

/** 429: the principal's token bucket is empty; retry after `retryAfterSeconds`. */
export class RateLimitedError extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', 'rate limit exceeded', { headers: { 'Retry-After': String(retryAfterSeconds) } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 503: the service cannot answer now; `reason` says why (e.g. `model_not_loaded`). */
export class ServiceUnavailableError extends ApiError {
  readonly reason: string;

  constructor(reason: string, message = 'service unavailable', retryAfterSeconds?: number) {
    super(503, 'SERVICE_UNAVAILABLE', message, retryAfterSeconds === undefined ? {} : { headers: { 'Retry-After': String(retryAfterSeconds) } });
    this.reason = reason;
  }
}
