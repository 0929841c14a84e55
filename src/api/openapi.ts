/**
 * The OpenAPI 3.1 document, generated from the operation declarations with zod 4's
 * `z.toJSONSchema` (OpenAPI 3.1 schemas are JSON Schema 2020-12). Schemas carrying a zod `id`
 * (`.meta({ id })`) become `components/schemas` entries referenced by `$ref`.
 */
import { z } from 'zod';
import { ErrorBody } from '../../data-contracts/v1/api/errors.ts';
import { OperationDeclarationError, pathParameterNames, toOpenApiPath, type OperationSpec } from './operations.ts';

type Json = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** Converts zod schemas, hoisting named sub-schemas into one shared components map. */
class SchemaCollector {
  readonly components: Record<string, Json> = {};
  readonly #origin = new Map<string, 'input' | 'output'>();

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    const { $defs, $schema: _dialect, ...rest } = converted as Json & { $defs?: Record<string, Json>; $schema?: string };
    for (const [id, definition] of Object.entries($defs ?? {})) {
      const rewritten = rewriteRefs(definition) as Json;
      const existing = this.components[id];
      if (existing === undefined) {
        this.components[id] = rewritten;
        this.#origin.set(id, io);
      } else if (JSON.stringify(existing) !== JSON.stringify(rewritten)) {
        // The same id with two shapes: usually a schema with transforms or defaults used both as
        // request (input) and response (output). Refuse rather than publish a wrong contract.
        throw new OperationDeclarationError(`schema id ${JSON.stringify(id)} has different ${this.#origin.get(id)} and ${io} shapes; give the two uses different ids`);
      }
    }
    return rewriteRefs(rest) as Json;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof child === 'string' && child.startsWith('#/$defs/') ? `#/components/schemas/${child.slice('#/$defs/'.length)}` : rewriteRefs(child);
  }
  return out;
}

/** `query` / `path` parameters from an object schema's properties. */
function parameters(collector: SchemaCollector, schema: z.ZodType, location: 'query' | 'path', operationId: string): Json[] {
  const json = collector.convert(schema, 'input');
  const properties = json.properties as Record<string, Json> | undefined;
  if (json.type !== 'object' || properties === undefined) throw new OperationDeclarationError(`${operationId}: request.${location === 'path' ? 'params' : 'query'} must be a z.object`);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, propertySchema]) => {
    const { description, ...rest } = propertySchema as Json & { description?: string };
    return { name, in: location, required: location === 'path' || required.has(name), schema: rest, ...(description !== undefined ? { description } : {}) };
  });
}

const ERROR_RESPONSE_REF = { $ref: '#/components/responses/Error' };

/** Build the OpenAPI 3.1 document for `operations`. */
export function buildOpenApiDocument(operations: readonly OperationSpec[], info: OpenApiInfo): Json {
  const collector = new SchemaCollector();
  // The error body is a component every operation refers to.
  const errorSchema = collector.convert(ErrorBody, 'output');
  const paths: Record<string, Record<string, Json>> = {};

  for (const op of operations) {
    const params: Json[] = [];
    if (op.request?.params) {
      params.push(...parameters(collector, op.request.params, 'path', op.operationId));
      const declared = new Set(params.map((p) => p.name));
      for (const name of pathParameterNames(op.path)) if (!declared.has(name)) throw new OperationDeclarationError(`${op.operationId}: path parameter ${name} is missing from request.params`);
    }
    if (op.request?.query) params.push(...parameters(collector, op.request.query, 'query', op.operationId));

    const responses: Record<string, Json> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema !== undefined ? { content: { [response.contentType ?? 'application/json']: { schema: collector.convert(response.schema, 'output') } } } : {}),
      };
    }
    // Errors every operation can answer with, in the one error shape.
    const add = (status: string): void => {
      responses[status] ??= ERROR_RESPONSE_REF;
    };
    if (op.request) add('400');
    if (op.request?.body) add('413');
    if (op.roles !== 'public') ['401', '403', '429'].forEach(add);
    add('500');

    const roles = op.roles === 'public' ? [] : [...op.roles];
    const operation: Json = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description !== undefined ? { description: op.description } : {}),
      ...(op.tags !== undefined ? { tags: [...op.tags] } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.request?.body !== undefined ? { requestBody: { required: true, content: { 'application/json': { schema: collector.convert(op.request.body, 'input') } } } } : {}),
      responses,
      security: op.roles === 'public' ? [] : [{ bearerAuth: [] }, { apiKeyHeader: [] }],
      'x-stratum-roles': op.roles === 'public' ? 'public' : roles,
      ...(op.bodyLimit !== undefined ? { 'x-stratum-body-limit': op.bodyLimit } : {}),
    };
    const path = toOpenApiPath(op.path);
    (paths[path] ??= {})[op.method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: { ...info },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: collector.components,
      responses: { Error: { description: 'An error, in the one error shape', content: { 'application/json': { schema: errorSchema } } } },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key, or an HS256 JWT with claims role and institution_id' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}
