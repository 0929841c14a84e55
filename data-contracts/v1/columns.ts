/**
 * Column layout of each entity, derived from its zod schema: the CSV header, the table columns
 * and how a text field decodes into the contract's type. Derived, never restated, so a field
 * added to a contract reaches files and tables in one place.
 */
import type { z } from 'zod';
import { ENTITIES, type EntityName } from './entities.ts';

export type ColumnKind = 'string' | 'number' | 'integer' | 'boolean';
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  nullable: boolean;
}

interface DefLike {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
}

function describe(schema: z.ZodType): { kind: ColumnKind; nullable: boolean } {
  let nullable = false;
  let current = schema;
  for (;;) {
    const def = (current as unknown as { _zod: { def: DefLike } })._zod.def;
    if (def.type === 'nullable' || def.type === 'optional') nullable = true;
    if ((def.type === 'nullable' || def.type === 'optional' || def.type === 'default' || def.type === 'prefault') && def.innerType) {
      current = def.innerType;
      continue;
    }
    if (def.type === 'pipe' && def.in) {
      current = def.in;
      continue;
    }
    if (def.type === 'number') {
      const integer = (def.checks ?? []).some((c) => c._zod.def.format === 'safeint' || c._zod.def.check === 'number_format');
      return { kind: integer ? 'integer' : 'number', nullable };
    }
    if (def.type === 'boolean') return { kind: 'boolean', nullable };
    return { kind: 'string', nullable };
  }
}

const cache = new Map<EntityName, ColumnSpec[]>();

/** The entity's columns in contract order. */
export function contractColumns(entity: EntityName): ColumnSpec[] {
  let cols = cache.get(entity);
  if (!cols) {
    const shape = (ENTITIES[entity] as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
    cols = Object.entries(shape).map(([name, schema]) => ({ name, ...describe(schema) }));
    cache.set(entity, cols);
  }
  return cols;
}
