/**
 * A small typed fetch client. Its types come from the same operation declarations the server
 * mounts and /openapi.json is generated from: `client.call('getHealth')` is typed by
 * `healthOperation`. Used by end-to-end tests and by tools that talk to a running service.
 */
import type { ErrorBody } from '../../data-contracts/v1/api/errors.ts';
import type { OperationInput, OperationSpec, SuccessBody } from './operations.ts';

type OperationById<Ops extends readonly OperationSpec[], Id extends string> = Extract<Ops[number], { operationId: Id }>;

/** Arguments of `call`: the input may be omitted when nothing in it is required. */
type CallArgs<O extends OperationSpec> = object extends OperationInput<O> ? [input?: OperationInput<O>] : [input: OperationInput<O>];

export interface ClientOptions<Ops extends readonly OperationSpec[]> {
  baseUrl: string;
  operations: Ops;
  /** Sent as `Authorization: Bearer <key or JWT>`. */
  bearer?: string;
  /** Sent as `X-API-Key` (when no bearer). */
  apiKey?: string;
  fetch?: typeof fetch;
}

/** A non-2xx answer; `body` is the parsed ErrorBody when the server sent one. */
export class ApiClientError extends Error {
  readonly code: string;

  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body ? `${status} ${body.error.code}: ${body.error.message}` : `HTTP ${status}`);
    this.name = 'ApiClientError';
    this.code = body?.error.code ?? `HTTP_${status}`;
  }
}

/** The raw outcome of a call, whatever the status. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface ApiClient<Ops extends readonly OperationSpec[]> {
  /** Call an operation; resolves with its success body, rejects with ApiClientError otherwise. */
  call<Id extends Ops[number]['operationId']>(operationId: Id, ...args: CallArgs<OperationById<Ops, Id>>): Promise<SuccessBody<OperationById<Ops, Id>>>;
  /** Call an operation and return status, headers and body without throwing on errors. */
  send<Id extends Ops[number]['operationId']>(operationId: Id, ...args: CallArgs<OperationById<Ops, Id>>): Promise<RawResponse>;
}

/** Fill `:name` parameters of an Express-style path. */
export function expandPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export function createClient<const Ops extends readonly OperationSpec[]>(options: ClientOptions<Ops>): ApiClient<Ops> {
  const byId = new Map(options.operations.map((op) => [op.operationId, op]));
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function send(operationId: string, input?: { params?: unknown; query?: unknown; body?: unknown }): Promise<RawResponse> {
    const op = byId.get(operationId);
    if (!op) throw new TypeError(`unknown operation ${operationId}`);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    else if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    let body: string | undefined;
    if (input?.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.body);
    }
    const url = base + expandPath(op.path, input?.params as Record<string, unknown> | undefined) + queryString(input?.query as Record<string, unknown> | undefined);
    const response = await doFetch(url, { method: op.method.toUpperCase(), headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : isJson ? (JSON.parse(text) as unknown) : text };
  }

  return {
    send: (operationId, ...args) => send(operationId, args[0] as Parameters<typeof send>[1]),
    async call(operationId, ...args) {
      const raw = await send(operationId, args[0] as Parameters<typeof send>[1]);
      if (raw.status >= 200 && raw.status < 300) return raw.body as never;
      const errorBody = typeof raw.body === 'object' && raw.body !== null && 'error' in raw.body ? (raw.body as ErrorBody) : undefined;
      throw new ApiClientError(raw.status, errorBody);
    },
  };
}
