/**
 * The HTTP edge of the scoring service. Everything request-generic lives here: request ids,
 * access logs and metrics by route pattern, security headers, authentication and the per-principal
 * rate limit, per-route JSON body limits, validation, and the one error handler (STYLE.md item 4).
 * Features contribute routes as RouteModules; this file never needs editing to add one.
 *
 * Wiring at start-up (the `start` command):
 *   const env = loadEnv();
 *   const app = createApp({ db, logger, metrics: new Metrics(), auth: authConfigFromEnv(env),
 *     routes: [scoreRoutes, jobRoutes], readiness, auditTrail: new AuditTrail(db),
 *     ...httpSettingsFromEnv(env) });
 *   // on shutdown: server.close(), then await auditTrail.close(), then db.close().
 */
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { ErrorBody } from '../../data-contracts/v1/api/errors.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../lib/logger.ts';
import type { Database } from '../store/database.ts';
import { audit as writeAudit, type AuditEntry, type AuditTrail } from './audit.ts';
import { assertRole, authenticate, type AuthConfig, type Principal, type Role } from './auth.ts';
import { DOCS_HTML, DOCS_SCRIPT, DOCS_SCRIPT_PATH } from './docs-page.ts';
import {
  ApiError,
  BadRequestError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import type { Metrics } from './metrics.ts';
import { buildOpenApiDocument, type OpenApiInfo } from './openapi.ts';
import { OperationRegistry, successStatus, type OperationSpec } from './operations.ts';
import { TokenBucketLimiter, type RateLimitConfig } from './rate-limit.ts';
import { JsonText, Reply, type HandlerInput, type OperationHandler, type RouteContext, type RouteModule, type RouteRegistrar } from './routes.ts';
import { systemRoutes, type Readiness } from './system-routes.ts';
import { parseRequestParts } from './validate.ts';

/** Everything the app needs, built once at start-up and handed in (STYLE.md item 6). */
export interface ApiDeps {
  db: Database;
  logger: Logger;
  auth: AuthConfig;
  /** Feature routes (scores, jobs, high-risk lists, ...); system routes are added by the app. */
  routes: readonly RouteModule[];
  /** Called by /ready: store reachable, champion model loaded, ... */
  readiness: () => Promise<Readiness>;
  metrics: Metrics;
  /** Per-principal token bucket (default 50/s, burst 100; ratePerSecond 0 disables). */
  rateLimit?: RateLimitConfig;
  /** Default JSON body limit (default 1 MB); an operation's `bodyLimit` overrides it. */
  bodyLimit?: string | number;
  /** Batching audit writer; without one, each audit row is inserted on its own. */
  auditTrail?: AuditTrail;
  /** Title/version in /openapi.json. */
  info?: OpenApiInfo;
  /** Milliseconds clock for the rate limiter (tests). */
  clock?: () => number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { ratePerSecond: 50, burst: 100 };
export const DEFAULT_BODY_LIMIT = '1mb';

/** The HTTP settings the environment calls for (STRATUM_RATE_LIMIT_*, STRATUM_BODY_LIMIT). */
export function httpSettingsFromEnv(env: Pick<Env, 'STRATUM_RATE_LIMIT_PER_SECOND' | 'STRATUM_RATE_LIMIT_BURST' | 'STRATUM_BODY_LIMIT'>): Pick<ApiDeps, 'rateLimit' | 'bodyLimit'> {
  return { rateLimit: { ratePerSecond: env.STRATUM_RATE_LIMIT_PER_SECOND, burst: env.STRATUM_RATE_LIMIT_BURST }, bodyLimit: env.STRATUM_BODY_LIMIT };
}

/** Incoming X-Request-Id values we pass through; anything else is replaced by a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Per-response state kept in res.locals. */
interface Locals {
  requestId: string;
  /** The route pattern (never the raw URL, which may contain member ids). */
  route?: string;
  principal?: Principal;
  /** Set once authentication and the rate limit have run for this request. */
  guarded?: boolean;
}

function locals(res: Response): Locals {
  return res.locals as Locals;
}

/** The authenticated caller of this request, if any. */
export function principalOf(res: Response): Principal | undefined {
  return locals(res).principal;
}

/** For routes mounted outside the registry: 401 without a principal, 403 without one of `roles`. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal) throw new UnauthorizedError();
    assertRole(principal, roles);
    next();
  };
}

/** Build the express app. Throws at once if operations are declared inconsistently. */
export function createApp(deps: ApiDeps): express.Express {
  const { logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  const limiter = new TokenBucketLimiter(deps.rateLimit ?? DEFAULT_RATE_LIMIT, deps.clock);
  const defaultBodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const registry = new OperationRegistry();
  const auditFn = (entry: AuditEntry): Promise<void> => (deps.auditTrail ? deps.auditTrail.record(entry) : writeAudit(deps.db, entry));

  app.use(requestContext(logger, metrics));
  app.use(helmet());

  /** Authenticate and take a rate-limit token, once per request. */
  const guard = (req: Request, res: Response): Principal => {
    const state = locals(res);
    if (!state.guarded) {
      state.guarded = true;
      state.principal = authenticate(req.headers, deps.auth);
      const taken = limiter.take(state.principal.id);
      if (!taken.allowed) throw new RateLimitedError(taken.retryAfterSeconds);
    }
    if (!state.principal) throw new UnauthorizedError();
    return state.principal;
  };

  const registrar: RouteRegistrar = {
    add<const O extends OperationSpec>(operation: O, handler: OperationHandler<O>): void {
      registry.add(operation);
      const chain: RequestHandler[] = [
        (req, res, next) => {
          locals(res).route = operation.path;
          if (operation.roles !== 'public') assertRole(guard(req, res), operation.roles);
          next();
        },
      ];
      if (operation.request?.body !== undefined) {
        chain.push((req, _res, next) => {
          // req.is: null without a body (validation reports it missing), false for another type.
          if (req.is('application/json') === false) throw new UnsupportedMediaTypeError();
          next();
        });
        chain.push(express.json({ limit: operation.bodyLimit ?? defaultBodyLimit, strict: false }));
      }
      chain.push(async (req, res) => {
        const parts = parseRequestParts(operation.request ?? {}, { body: req.body, query: req.query, params: req.params });
        const principal = principalOf(res);
        const input = {
          ...parts,
          principal,
          requestId: locals(res).requestId,
          audit: (entry: Omit<AuditEntry, 'principal'>) => {
            if (!principal) throw new TypeError(`${operation.operationId} is public: there is no principal to audit`);
            return auditFn({ ...entry, principal });
          },
          req,
          res,
        } as HandlerInput<O>;
        const result: unknown = await handler(input);
        if (result === undefined && res.headersSent) return;
        if (result instanceof Reply) send(res, operation, result.status, result.body);
        else send(res, operation, successStatus(operation), result);
      });
      app[operation.method](operation.path, ...chain);
    },
  };

  let document: Record<string, unknown> = {};
  const context: RouteContext = { db: deps.db, logger, metrics };
  const modules = [
    systemRoutes({ readiness: deps.readiness, metrics, metricsAccess: deps.auth.metricsAccess, openApiDocument: () => document }),
    ...deps.routes,
  ];
  for (const module of modules) module.register(registrar, context);
  document = buildOpenApiDocument(registry.list(), deps.info ?? { title: 'Stratum API', version: 'v1' });

  app.get('/docs', (_req, res) => {
    locals(res).route = '/docs';
    res.type('html').send(DOCS_HTML);
  });
  app.get(DOCS_SCRIPT_PATH, (_req, res) => {
    locals(res).route = DOCS_SCRIPT_PATH;
    res.type('application/javascript').send(DOCS_SCRIPT);
  });

  app.use((req, res) => {
    // Unknown /v1 paths still demand credentials, so the API's shape is not probed anonymously.
    if (req.path === '/v1' || req.path.startsWith('/v1/')) guard(req, res);
    // The path is not echoed: it may contain member ids.
    throw new NotFoundError('no such route');
  });

  app.use(errorHandler(logger));
  return app;
}

function send(res: Response, operation: OperationSpec, status: number, body: unknown): void {
  const contentType = operation.responses[status]?.contentType;
  res.status(status);
  if (body === undefined) res.end();
  else if (body instanceof JsonText && contentType === undefined) {
    // As res.json does with the text it serialises.
    if (!res.get('Content-Type')) res.set('Content-Type', 'application/json');
    res.send(body.text);
  }
  else if (contentType !== undefined) res.type(contentType).send(body);
  else res.json(body);
}

/** Request id, and on completion one access-log line and the request metrics. */
function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // 499 (nginx's "client closed request") when the client left before the answer was written.
      const status = res.writableFinished ? res.statusCode : 499;
      const state = locals(res);
      const route = state.route ?? 'unmatched';
      metrics.observeRequest(req.method, route, status, seconds);
      // No URL, query, body or headers: they may carry member ids or credentials.
      logger.info({ requestId, method: req.method, route, status, durationMs: Math.round(seconds * 1e4) / 10, principal: state.principal?.id }, 'request');
    });
    next();
  };
}

/** body-parser and router errors carry `type` / `status`; map them to typed errors. */
function fromHttpError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { type?: unknown; status?: unknown; limit?: unknown };
  switch (e.type) {
    case 'entity.parse.failed':
      return new MalformedJsonError();
    case 'entity.too.large':
      return new PayloadTooLargeError(typeof e.limit === 'number' ? e.limit : undefined);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('unsupported request body encoding or charset');
    default:
      if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new BadRequestError();
      return undefined;
  }
}

/**
 * An allow-listed view of an error for the log: type, code, message, stack and safe store
 * fields. PostgreSQL's `detail` (which can quote row values) and any other property are dropped;
 * pino's redaction of member-id fields applies on top.
 */
export function errorForLog(error: unknown, depth = 0): Record<string, unknown> | string {
  if (!(error instanceof Error)) return typeof error;
  const e = error as Error & { code?: unknown; sqlState?: unknown; constraint?: unknown; table?: unknown; column?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: e.message, stack: e.stack };
  for (const key of ['code', 'sqlState', 'constraint', 'table', 'column'] as const) if (typeof e[key] === 'string') out[key] = e[key];
  if (e.cause !== undefined && depth < 3) out.cause = errorForLog(e.cause, depth + 1);
  return out;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const state = locals(res);
    const requestId = state.requestId;
    if (res.headersSent) {
      // Half an answer cannot be corrected; cut the connection so the client sees a failure.
      logger.error({ requestId, route: state.route ?? 'unmatched', err: errorForLog(error) }, 'error after response started');
      req.socket.destroy();
      return;
    }
    const apiError = fromHttpError(error);
    let body: ErrorBody;
    if (apiError === undefined) {
      // Unknown: a bare 500. The error text could carry member data, so it goes to the log only.
      logger.error({ requestId, route: state.route ?? 'unmatched', err: errorForLog(error) }, 'unhandled error');
      body = { error: { code: 'INTERNAL', message: 'internal error', requestId } };
      res.status(500).json(body);
      return;
    }
    if (apiError.status >= 500) logger.warn({ requestId, route: state.route ?? 'unmatched', code: apiError.code }, 'request failed');
    body = {
      error: {
        code: apiError.code,
        message: apiError.message,
        ...(apiError.issues !== undefined ? { issues: apiError.issues } : {}),
        ...(apiError instanceof ServiceUnavailableError ? { reason: apiError.reason } : {}),
        ...(apiError instanceof RateLimitedError ? { retryAfterSeconds: apiError.retryAfterSeconds } : {}),
        requestId,
      },
    };
    for (const [name, value] of Object.entries(apiError.headers)) res.setHeader(name, value);
    res.status(apiError.status).json(body);
  };
}
