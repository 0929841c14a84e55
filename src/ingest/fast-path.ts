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

function customTest(def: CheckDef, where: string): (v: unknown) => boolean {
  const fn = def.fn;
  if (typeof fn !== 'function') throw new UnsupportedSchemaError(`${where}: custom check without a function`);
  // Only a literal `true` accepts; a promise or other value defers to zod.
  return (v) => fn(v) === true;
}

function compileNumberChecks(def: SchemaDef, where: string): ((n: number) => boolean)[] {
  const tests: ((n: number) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    switch (d.check) {
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
        throw new UnsupportedSchemaError(`${where}: number check ${String(d.check)}`);
    }
  }
  return tests;
}

/**
 * A string column's checks as data rather than a list of closures: the lengths and patterns are
 * tested inline, so the per-field work is a few comparisons and RegExp calls, not a chain of
 * calls that the engine cannot inline (this runs for every field of ~50 million rows).
 */
interface StringRule {
  min: number;
  max: number;
  patterns: RegExp[];
  customs: ((input: unknown) => unknown)[];
}

function compileStringRule(def: SchemaDef, where: string): StringRule {
  const rule: StringRule = { min: 0, max: Infinity, patterns: [], customs: [] };
  const pattern = (p: RegExp | undefined) => {
    // A global or sticky regex keeps state between calls; zod's own use would differ.
    if (!p || p.global || p.sticky) throw new UnsupportedSchemaError(`${where}: unusable pattern`);
    rule.patterns.push(p);
  };
  // An ISO date or date-time schema carries its own format check on the schema itself.
  if (def.check === 'string_format') {
    if (!PATTERN_FORMATS.has(def.format ?? '')) throw new UnsupportedSchemaError(`${where}: string format ${def.format}`);
    pattern(def.pattern);
  }
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    switch (d.check) {
      case 'min_length':
        rule.min = Math.max(rule.min, d.minimum ?? 0);
        break;
      case 'max_length':
        rule.max = Math.min(rule.max, d.maximum ?? Infinity);
        break;
      case 'string_format':
        if (!PATTERN_FORMATS.has(d.format ?? '')) throw new UnsupportedSchemaError(`${where}: string format ${d.format}`);
        pattern(d.pattern);
        break;
      case 'custom':
        if (typeof d.fn !== 'function') throw new UnsupportedSchemaError(`${where}: custom check without a function`);
        rule.customs.push(d.fn);
        break;
      default:
        throw new UnsupportedSchemaError(`${where}: string check ${String(d.check)}`);
    }
  }
  return rule;
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
      const { min, max, patterns, customs } = compileStringRule(def, where);
      // Consecutive rows often repeat a field (a member's id, a reading's time): the checks are
      // pure functions of the text, so the last text accepted is accepted again without them.
      let last: string | null = null;
      return (text) => {
        if (text === last) return text;
        if (text === '') return empty();
        if (text.length < min || text.length > max) return REJECT;
        for (let i = 0; i < patterns.length; i++) if (!patterns[i]!.test(text)) return REJECT;
        // Only a literal `true` accepts; a promise or other value defers to zod.
        for (let i = 0; i < customs.length; i++) if (customs[i]!(text) !== true) return REJECT;
        last = text;
        return text;
      };
    }
    case 'number': {
      if (column.kind !== 'number' && column.kind !== 'integer') throw new UnsupportedSchemaError(`${where}: number schema in a ${column.kind} column`);
      const tests = compileNumberChecks(def, where);
      let lastText: string | null = null;
      let lastValue = 0;
      return (text) => {
        if (text === lastText) return lastValue;
        if (text === '') return empty();
        const n = Number(text);
        // Same reading as decode.ts, then zod's own rule that a number is finite.
        if (!Number.isFinite(n) || text.trim() === '') return REJECT;
        for (const t of tests) if (!t(n)) return REJECT;
        lastText = text;
        lastValue = n;
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
 * Fills `values` (one slot per contract column) with a row's contract values and returns true,
 * or returns false when the fast path does not accept the row (`values` is then garbage). The
 * caller owns `values` and may reuse it row after row: nothing is allocated per accepted row.
 */
export type FastFill = (fields: readonly string[], values: unknown[]) => boolean;

/** A record's compiled field readers and refinements (shared by FastFill and LineFill). */
function compileRecord(entity: EntityName): { columns: ColumnSpec[]; readers: FieldReader[]; test: (values: unknown[]) => boolean } {
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
  // The refinements read the row being filled through one record of getters: they are pure
  // functions of the record and keep no reference to it, so nothing is copied or allocated per row.
  let current: unknown[] = [];
  const record: Record<string, unknown> = {};
  names.forEach((name, c) => Object.defineProperty(record, name, { get: () => current[c], enumerable: true }));
  const test = (values: unknown[]) => {
    current = values;
    for (const t of recordTests) if (!t(record)) return false;
    return true;
  };
  return { columns, readers, test };
}

/**
 * Compile the allocation-free fast path for `entity` given the file's column positions
 * (`headerIndex`). Throws UnsupportedSchemaError when the contract uses a check the compiler
 * cannot reproduce exactly.
 */
export function compileFastFill(entity: EntityName, index: readonly number[]): FastFill {
  const { columns, readers, test } = compileRecord(entity);
  const width = columns.length;
  return (fields, values) => {
    for (let c = 0; c < width; c++) {
      const at = index[c]!;
      const value = readers[c]!(at < 0 ? '' : (fields[at] ?? ''));
      if (value === REJECT) return false;
      values[c] = value;
    }
    return test(values);
  };
}

/**
 * FastFill for a record's own text, when the file holds exactly the contract's columns in
 * contract order: fills `values` and returns true, or returns false (the caller then splits the
 * record and takes FastFill, which decides). Splitting a row into one string per field was the
 * largest single cost of a load's JavaScript; here fields are found by their commas and a field
 * whose text equals one its column recently accepted is taken without being cut out or checked
 * again (readers are pure functions of the text). Narrower than FastFill on purpose: a record
 * holding a quote or a carriage return, with another number of fields, or with a number not
 * spelt as `plainNumber` reads it, is left to FastFill.
 */
export type LineFill = (line: string, values: unknown[]) => boolean;

/** Recently accepted texts remembered per column. */
const REMEMBERED = 2;
/** Rows after which a column whose texts rarely repeat stops looking among remembered ones. */
const REMEMBER_TRIAL = 1024;

export function compileLineFill(entity: EntityName, plainNumber: (column: ColumnSpec) => RegExp): LineFill {
  const { columns, readers, test } = compileRecord(entity);
  const width = columns.length;
  const plain = columns.map((c) => (c.kind === 'number' || c.kind === 'integer' ? plainNumber(c) : null));
  const texts = columns.map(() => new Array<string>(REMEMBERED).fill(''));
  const remembered = columns.map(() => new Array<unknown>(REMEMBERED));
  const next = new Int32Array(width);
  const hits = new Int32Array(width);
  const looks = new Int32Array(width);
  const remember = columns.map(() => true);

  const field = (c: number, line: string, start: number, end: number): unknown => {
    const length = end - start;
    if (length === 0) return readers[c]!('');
    if (remember[c]) {
      const known = texts[c]!;
      for (let k = 0; k < REMEMBERED; k++) {
        const t = known[k]!;
        if (t.length === length && line.startsWith(t, start)) {
          hits[c]!++;
          return remembered[c]![k];
        }
      }
      if (++looks[c]! === REMEMBER_TRIAL && hits[c]! * 2 < REMEMBER_TRIAL) remember[c] = false;
    }
    const text = line.slice(start, end);
    if (plain[c] && !plain[c].test(text)) return REJECT;
    const value = readers[c]!(text);
    if (value !== REJECT && remember[c]) {
      const k = next[c]!;
      texts[c]![k] = text;
      remembered[c]![k] = value;
      next[c] = (k + 1) % REMEMBERED;
    }
    return value;
  };

  return (line, values) => {
    if (line.includes('"') || line.includes('\r')) return false;
    let start = 0;
    for (let c = 0; c < width; c++) {
      let end = line.indexOf(',', start);
      if (end < 0) {
        if (c !== width - 1) return false;
        end = line.length;
      } else if (c === width - 1) return false;
      const value = field(c, line, start, end);
      if (value === REJECT) return false;
      values[c] = value;
      start = end + 1;
    }
    return test(values);
  };
}

/**
 * Compile the fast path for `entity` given the file's column positions (`headerIndex`). Throws
 * UnsupportedSchemaError when the contract uses a check the compiler cannot reproduce exactly.
 */
export function compileFastPath(entity: EntityName, index: readonly number[]): FastRow {
  const fill = compileFastFill(entity, index);
  const width = contractColumns(entity).length;
  return (fields) => {
    const values: unknown[] = new Array(width);
    return fill(fields, values) ? values : null;
  };
}

/** The compiled checker, or null when the contract cannot be compiled (every row then takes the full path). */
function orNullIfUnsupported<T>(compile: () => T): T | null {
  try {
    return compile();
  } catch (error) {
    if (error instanceof UnsupportedSchemaError) return null;
    throw error;
  }
}

/** `compileFastPath`, or null when the contract cannot be compiled. */
export const tryCompileFastPath = (entity: EntityName, index: readonly number[]): FastRow | null => orNullIfUnsupported(() => compileFastPath(entity, index));

/** `compileLineFill`, or null when the contract cannot be compiled. */
export const tryCompileLineFill = (entity: EntityName, plainNumber: (column: ColumnSpec) => RegExp): LineFill | null =>
  orNullIfUnsupported(() => compileLineFill(entity, plainNumber));

/** `compileFastFill`, or null when the contract cannot be compiled. */
export const tryCompileFastFill = (entity: EntityName, index: readonly number[]): FastFill | null => orNullIfUnsupported(() => compileFastFill(entity, index));
