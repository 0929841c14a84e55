/**
 * How features contribute HTTP routes without editing app.ts: a RouteModule registers operations
 * (declared with `defineOperation`) and their handlers. The app wraps each handler with
 * authentication, the role check, the body limit and validation, all taken from the declaration.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../lib/logger.ts';
import type { Database } from '../store/database.ts';
import type { AuditEntry } from './audit.ts';
import type { Principal } from './auth.ts';
import type { Metrics } from './metrics.ts';
import type { OperationSpec, ParsedPart, SuccessBody } from './operations.ts';

/** Shared services handed to every route module at registration. */
export interface RouteContext {
  db: Database;
  logger: Logger;
  metrics: Metrics;
}

/** An explicit status and body, for answers other than the operation's first 2xx. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/**
 * A success body already serialised: exactly the text JSON.stringify gives for the body, sent
 * as res.json would send it. For answers whose parts were serialised once already (a score is
 * stored as its JSON text), so they are not serialised a second time.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** What a handler receives: validated parts, the caller, and an audit function bound to the caller. */
export interface HandlerInput<O extends OperationSpec> {
  params: ParsedPart<O, 'params'>;
  query: ParsedPart<O, 'query'>;
  body: ParsedPart<O, 'body'>;
  /** Present for every non-public operation. */
  principal: O['roles'] extends 'public' ? undefined : Principal;
  requestId: string;
  /** Write an audit row for this caller; await it before answering with member data. */
  audit(entry: Omit<AuditEntry, 'principal'>): Promise<void>;
  /** The raw exchange, for streaming or headers; a handler that sends itself returns undefined. */
  req: Request;
  res: Response;
}

/**
 * Returns the success body (sent with the lowest declared 2xx) or its JsonText, a Reply, or
 * undefined after writing the response itself. Throw ApiError subclasses for failures.
 */
export type OperationHandler<O extends OperationSpec> = (
  input: HandlerInput<O>,
) => Promise<SuccessBody<O> | JsonText | Reply | void> | SuccessBody<O> | JsonText | Reply | void;

export interface RouteRegistrar {
  /** Mount `operation` with `handler`; it also appears in /openapi.json. */
  add<const O extends OperationSpec>(operation: O, handler: OperationHandler<O>): void;
}

/** A feature's routes. */
export interface RouteModule {
  /** For logs and error messages, e.g. `scores`. */
  readonly name: string;
  register(routes: RouteRegistrar, context: RouteContext): void;
}
