/**
 * A compiled fast path for the loader's commonest case: a CSV row that satisfies its contract.
 *
 * zod's safeParse costs several microseconds per row, most of the load's time at 50 million rows.
 * The fast path is compiled once per entity by reading the zod schema itself (its enums, length
 * limits, regexes, ISO date patterns, number bounds and refinements), so it cannot drift from the
 * contract: a check kind it does not understand makes compilation fail and every row of that
 * entity takes the full path. It only ever *accepts*: a row it does not accept goes to the full
 * zod validation (decode.ts), so reject messages stay zod's, naming field and rule. Pure: no I/O.
 */
import type { z } from 'zod';
import { contractColumns, ENTITIES, type ColumnSpec, type EntityName } from '../../data-contracts/v1/index.ts';

/** The contract values of an accepted row, in contract column order (as zod would output them). */
export type FastRow = (fields: readonly string[]) => unknown[] | null;

/** A schema feature the compiler cannot reproduce exactly; the entity then always takes the full path. */
export class UnsupportedSchemaError extends Error {
  readonly code = 'FAST_PATH_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedSchemaError';
  }
}

interface CheckDef {
  check?: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  fn?: (input: unknown) => unknown;
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  checks?: { _zod: { def: CheckDef } }[];
  entries?: Record<string, string | number>;
  format?: string;
  check?: string;
  pattern?: RegExp;
}

const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;

/** Formats whose zod check is exactly "matches def.pattern" (zod 4 $ZodStringFormat). */
const PATTERN_FORMATS = new Set(['regex', 'date', 'datetime']);

function patternTest(pattern: RegExp | undefined, where: string): (s: string) => boolean {
  // A global or sticky regex keeps state between calls; zod's own use would differ.
  if (!pattern || pattern.global || pattern.sticky) throw new UnsupportedSchemaError(`${where}: unusable pattern`);
  return (s) => pattern.test(s);
}

function customTest(def: CheckDef, where: string): (v: unknown) => boolean {
  const fn = def.fn;
  if (typeof fn !== 'function') throw new UnsupportedSchemaError(`${where}: custom check without a function`);
  // Only a literal `true` accepts; a promise or other value defers to zod.
  return (v) => fn(v) === true;
}

function compileChecks(def: SchemaDef, where: string, kind: 'string' | 'number'): ((v: never) => boolean)[] {
  const tests: ((v: never) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    switch (d.check) {
      case 'min_length': {
        const min = d.minimum ?? 0;
        tests.push((s: string) => s.length >= min);
        break;
      }
      case 'max_length': {
        const max = d.maximum ?? Infinity;
        tests.push((s: string) => s.length <= max);
        break;
      }
      case 'string_format':
        if (!PATTERN_FORMATS.has(d.format ?? '')) throw new UnsupportedSchemaError(`${where}: string format ${d.format}`);
        tests.push(patternTest(d.pattern, where));
        break;
      case 'number_format':
        if (d.format !== 'safeint') throw new UnsupportedSchemaError(`${where}: number format ${d.format}`);
        tests.push((n: number) => Number.isSafeInteger(n));
        break;
      case 'greater_than': {
        const bound = d.value ?? -Infinity;
        tests.push(d.inclusive ? (n: number) => n >= bound : (n: number) => n > bound);
        break;
      }
      case 'less_than': {
        const bound = d.value ?? Infinity;
        tests.push(d.inclusive ? (n: number) => n <= bound : (n: number) => n < bound);
        break;
      }
      case 'custom':
        tests.push(customTest(d, where));
        break;
      default:
        throw new UnsupportedSchemaError(`${where}: ${kind} check ${String(d.check)}`);
    }
  }
  return tests;
}

/** Returned by a field reader for text the fast path does not accept (no allocation per field). */
const REJECT: unique symbol = Symbol('fast-path reject');

/** Parse one CSV field into the value zod would see (decode.ts decodeField), then check it. */
type FieldReader = (text: string) => unknown;

function compileField(column: ColumnSpec, schema: z.ZodType): FieldReader {
  const where = column.name;
  let def = defOf(schema);
  let nullable = false;
  // decode.ts turns an empty field into null for a nullable column; a default never applies
  // because the key is always present.
  while (def.type === 'nullable' || def.type === 'optional' || def.type === 'default') {
    if (def.type !== 'default') nullable = true;
    if (!def.innerType) throw new UnsupportedSchemaError(`${where}: wrapper without inner type`);
    def = defOf(def.innerType);
  }
  if (nullable !== column.nullable) throw new UnsupportedSchemaError(`${where}: nullability differs from the column layout`);
  const empty = (): unknown => (nullable ? null : REJECT);

  switch (def.type) {
    case 'enum': {
      const allowed = new Set(Object.values(def.entries ?? {}).filter((v): v is string => typeof v === 'string'));
      return (text) => (text === '' ? empty() : allowed.has(text) ? text : REJECT);
    }
    case 'string': {
      const tests = compileChecks(def, where, 'string') as ((s: string) => boolean)[];
      // An ISO date or date-time schema carries its own format check on the schema itself.
      if (def.check === 'string_format') {
        if (!PATTERN_FORMATS.has(def.format ?? '')) throw new UnsupportedSchemaError(`${where}: string format ${def.format}`);
        tests.unshift(patternTest(def.pattern, where));
      }
      return (text) => {
        if (text === '') return empty();
        for (const t of tests) if (!t(text)) return REJECT;
        return text;
      };
    }
    case 'number': {
      if (column.kind !== 'number' && column.kind !== 'integer') throw new UnsupportedSchemaError(`${where}: number schema in a ${column.kind} column`);
      const tests = compileChecks(def, where, 'number') as ((n: number) => boolean)[];
      return (text) => {
        if (text === '') return empty();
        const n = Number(text);
        // Same reading as decode.ts, then zod's own rule that a number is finite.
        if (!Number.isFinite(n) || text.trim() === '') return REJECT;
        for (const t of tests) if (!t(n)) return REJECT;
        return n;
      };
    }
    case 'boolean':
      if ((def.checks ?? []).length) throw new UnsupportedSchemaError(`${where}: boolean checks`);
      return (text) => (text === 'true' ? true : text === 'false' ? false : text === '' ? empty() : REJECT);
    default:
      throw new UnsupportedSchemaError(`${where}: schema type ${def.type}`);
  }
}

/**
 * Compile the fast path for `entity` given the file's column positions (`headerIndex`). Throws
 * UnsupportedSchemaError when the contract uses a check the compiler cannot reproduce exactly.
 */
export function compileFastPath(entity: EntityName, index: readonly number[]): FastRow {
  const schema = ENTITIES[entity] as unknown as z.ZodObject;
  const objectDef = defOf(schema);
  if (objectDef.type !== 'object') throw new UnsupportedSchemaError(`${entity}: not an object schema`);
  const shape = schema.shape as Record<string, z.ZodType>;
  const columns = contractColumns(entity);
  const readers = columns.map((c) => compileField(c, shape[c.name]!));
  const names = columns.map((c) => c.name);
  // Record-level refinements (e.g. enrolled_to not before enrolled_from) run on the assembled record.
  const recordTests = (objectDef.checks ?? []).map((c) => {
    if (c._zod.def.check !== 'custom') throw new UnsupportedSchemaError(`${entity}: record check ${c._zod.def.check}`);
    return customTest(c._zod.def, entity);
  });
  const width = columns.length;

  return (fields) => {
    const values: unknown[] = new Array(width);
    for (let c = 0; c < width; c++) {
      const at = index[c]!;
      const value = readers[c]!(at < 0 ? '' : (fields[at] ?? ''));
      if (value === REJECT) return null;
      values[c] = value;
    }
    if (recordTests.length) {
      const record: Record<string, unknown> = {};
      for (let c = 0; c < width; c++) record[names[c]!] = values[c];
      for (const t of recordTests) if (!t(record)) return null;
    }
    return values;
  };
}

/** The fast path for `entity`, or null when its contract cannot be compiled (every row takes the full path). */
export function tryCompileFastPath(entity: EntityName, index: readonly number[]): FastRow | null {
  try {
    return compileFastPath(entity, index);
  } catch (error) {
    if (error instanceof UnsupportedSchemaError) return null;
    throw error;
  }
}
