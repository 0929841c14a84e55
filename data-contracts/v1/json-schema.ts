/**
 * JSON Schema for every contract, generated from the zod schemas (never written by hand). The
 * files under data-contracts/v1/json-schema/ are the published copies; a test fails when they
 * drift from the schemas.
 */
import { z } from 'zod';
import { ENTITIES, type EntityName } from './entities.ts';

export const CONTRACT_VERSION = 'v1';

/** The JSON Schema (draft 2020-12) of one entity's record as it arrives (input shape). */
export function entityJsonSchema(entity: EntityName): Record<string, unknown> {
  const schema = z.toJSONSchema(ENTITIES[entity], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: `https://stratum.example/contracts/${CONTRACT_VERSION}/${entity}.schema.json`, title: entity, ...schema };
}

/** Extra, non-entity contracts that also publish a JSON Schema (registered by their modules). */
export const EXTRA_SCHEMAS: Record<string, z.ZodType> = {};

export function allJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const entity of Object.keys(ENTITIES) as EntityName[]) out[entity] = entityJsonSchema(entity);
  for (const [name, schema] of Object.entries(EXTRA_SCHEMAS))
    out[name] = { $id: `https://stratum.example/contracts/${CONTRACT_VERSION}/${name}.schema.json`, title: name, ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) };
  return out;
}
