/**
 * An operation is the single declaration of an HTTP endpoint: method, path, roles, request and
 * response schemas. The app mounts it (auth, body limit, validation), the OpenAPI document is
 * generated from it, and the typed client derives its types from it, so the three cannot drift.
 */
import type { z } from 'zod';
import type { Role } from './auth.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One declared response. `schema` absent means no body; `contentType` defaults to JSON. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface OperationSpec {
  /** Unique, camelCase; the typed client calls operations by it. */
  operationId: string;
  method: HttpMethod;
  /** Express-style path with `:name` parameters only, e.g. `/v1/institutions/:institutionId/scores`. */
  path: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  /** Who may call it; `public` skips authentication (probes, documentation). */
  roles: readonly Role[] | 'public';
  request?: { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };
  /** Declared responses by status; the lowest 2xx is what a handler's return value is sent with. */
  responses: { readonly [status: number]: ResponseSpec };
  /** JSON body limit for this route (bytes or `20mb`); the app default applies otherwise. */
  bodyLimit?: string | number;
}

/** Declare an operation, keeping its literal types for the handler and client. */
export function defineOperation<const O extends OperationSpec>(operation: O): O {
  return operation;
}

type RequestPartName = 'body' | 'query' | 'params';

/** The zod schema of one request part, or never when the operation declares none. */
export type RequestSchema<O extends OperationSpec, K extends RequestPartName> = O['request'] extends { [P in K]: infer S } ? (S extends z.ZodType ? S : never) : never;

/** The parsed (output) type of one request part, as a handler receives it. */
export type ParsedPart<O extends OperationSpec, K extends RequestPartName> = [RequestSchema<O, K>] extends [never] ? undefined : z.output<RequestSchema<O, K>>;

type InputPart<O extends OperationSpec, K extends RequestPartName> = [RequestSchema<O, K>] extends [never]
  ? { [P in K]?: undefined }
  : object extends z.input<RequestSchema<O, K>>
    ? { [P in K]?: z.input<RequestSchema<O, K>> }
    : { [P in K]: z.input<RequestSchema<O, K>> };

/** What a client sends: `params`, `query`, `body` as the schemas accept them (input types). */
export type OperationInput<O extends OperationSpec> = InputPart<O, 'params'> & InputPart<O, 'query'> & InputPart<O, 'body'>;

/** Success statuses a handler's return value may be sent with. */
export type SuccessStatus<O extends OperationSpec> = Extract<keyof O['responses'], 200 | 201 | 202 | 204>;

/** The body type of the operation's success response(s). */
export type SuccessBody<O extends OperationSpec> = O['responses'][SuccessStatus<O>] extends infer R
  ? R extends { schema: infer S }
    ? S extends z.ZodType
      ? z.output<S>
      : undefined
    : undefined
  : never;

/** The success status a plain return value is sent with: the lowest declared 2xx. */
export function successStatus(operation: OperationSpec): number {
  const statuses = Object.keys(operation.responses)
    .map(Number)
    .filter((s) => s >= 200 && s < 300)
    .sort((a, b) => a - b);
  const first = statuses[0];
  if (first === undefined) throw new TypeError(`operation ${operation.operationId} declares no 2xx response`);
  return first;
}

/** `:name` parameters of an Express-style path, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? '');
}

/** `/a/:id/b` -> `/a/{id}/b` (OpenAPI path template). */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

const PATH_SHAPE = /^(\/([A-Za-z0-9._~-]+|:[A-Za-z_][A-Za-z0-9_]*))+$|^\/$/;

/** Thrown at start-up when operations are declared inconsistently (a programming error). */
export class OperationDeclarationError extends Error {
  readonly code = 'OPERATION_DECLARATION_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'OperationDeclarationError';
  }
}

/** Check one declaration: path shape, a 2xx response, params schema present iff the path has parameters. */
export function checkOperation(operation: OperationSpec): void {
  if (!/^[a-z][A-Za-z0-9]*$/.test(operation.operationId)) throw new OperationDeclarationError(`operationId ${JSON.stringify(operation.operationId)} must be camelCase`);
  if (!PATH_SHAPE.test(operation.path)) throw new OperationDeclarationError(`${operation.operationId}: path ${JSON.stringify(operation.path)} may use only literal segments and :name parameters`);
  successStatus(operation);
  const names = pathParameterNames(operation.path);
  if (names.length > 0 && operation.request?.params === undefined) throw new OperationDeclarationError(`${operation.operationId}: path has parameters but request.params is not declared`);
  if (operation.method === 'get' && operation.request?.body !== undefined) throw new OperationDeclarationError(`${operation.operationId}: a GET operation cannot take a body`);
  // Every /v1 route is authenticated (issue 4, security): a public one is a declaration mistake.
  if (operation.roles === 'public' && /^\/v1(\/|$)/.test(operation.path)) throw new OperationDeclarationError(`${operation.operationId}: /v1 operations cannot be public`);
  if (Array.isArray(operation.roles) && operation.roles.length === 0) throw new OperationDeclarationError(`${operation.operationId}: roles must name at least one role or be 'public'`);
}

/** Operations collected from every route module; refuses duplicate ids and method+path pairs. */
export class OperationRegistry {
  readonly #operations: OperationSpec[] = [];

  add(operation: OperationSpec): void {
    checkOperation(operation);
    for (const existing of this.#operations) {
      if (existing.operationId === operation.operationId) throw new OperationDeclarationError(`duplicate operationId ${operation.operationId}`);
      if (existing.method === operation.method && toOpenApiPath(existing.path) === toOpenApiPath(operation.path)) {
        throw new OperationDeclarationError(`${operation.operationId}: ${operation.method.toUpperCase()} ${operation.path} is already declared by ${existing.operationId}`);
      }
    }
    this.#operations.push(operation);
  }

  list(): readonly OperationSpec[] {
    return this.#operations;
  }
}
