/**
 * The SQL column type of each contract field, so CSV files load typed (dates as dates, money as
 * exact decimals) instead of being guessed from the data. Derived from the contract schemas,
 * like `contractColumns`, so a field added to a contract reaches the tables by itself.
 */
import type { z } from 'zod';
import { contractColumns, type ColumnSpec } from '../../data-contracts/v1/columns.ts';
import { IsoDate, IsoDateTime, MoneyString } from '../../data-contracts/v1/common.ts';
import { ENTITIES, type EntityName } from '../../data-contracts/v1/entities.ts';

/** A contract column with the SQL type it loads as. */
export interface TypedColumn extends ColumnSpec {
  sqlType: string;
}

interface WrapperDef {
  type: string;
  innerType?: z.ZodType;
}

/** Strip nullable/optional/default wrappers to reach the field's own schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = (current as unknown as { _zod: { def: WrapperDef } })._zod.def;
    if ((def.type === 'nullable' || def.type === 'optional' || def.type === 'default' || def.type === 'prefault') && def.innerType) {
      current = def.innerType;
      continue;
    }
    return current;
  }
}

/**
 * Date-times load as TIMESTAMPTZ: the contract requires an offset or Z, and a plain TIMESTAMP
 * cast would silently drop a +08:00 offset (measured on DuckDB 1.5).
 */
function sqlTypeOf(column: ColumnSpec, schema: z.ZodType): string {
  const inner = unwrap(schema);
  if (inner === IsoDate) return 'DATE';
  if (inner === IsoDateTime) return 'TIMESTAMPTZ';
  // Money is exact (DOMAIN.md data rules): a decimal string with at most two places.
  if (inner === MoneyString) return 'DECIMAL(18,2)';
  switch (column.kind) {
    case 'integer':
      return 'BIGINT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'VARCHAR';
  }
}

/** The entity's columns in contract order, each with its SQL type. */
export function typedColumns(entity: EntityName): TypedColumn[] {
  const shape = (ENTITIES[entity] as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
  return contractColumns(entity).map((column) => {
    const schema = shape[column.name];
    if (!schema) throw new Error(`contract ${entity} has no field ${column.name}`);
    return { ...column, sqlType: sqlTypeOf(column, schema) };
  });
}
