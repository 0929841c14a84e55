/**
 * Turn a CSV record's text fields into a contract record, then apply the loader's data-quality
 * rules beyond the contract (units and plausible ranges of readings). Pure: no I/O.
 */
import {
  contractColumns,
  normaliseReading,
  validateRecord,
  PRIMARY_KEY,
  type ColumnSpec,
  type EntityName,
  type FieldViolation,
} from '../../data-contracts/v1/index.ts';
import { csvField } from './csv.ts';
import { tryCompileFastFill, tryCompileFastPath, tryCompileLineFill } from './fast-path.ts';

export type Decoded =
  | { ok: true; record: Record<string, unknown>; converted: boolean }
  | { ok: false; recordId: string | null; violations: FieldViolation[] };

/** Maps a file's header onto the contract's columns; throws when a contract column is missing. */
export class HeaderError extends Error {
  constructor(readonly file: string, readonly missing: string[], readonly unknown: string[]) {
    super(
      `${file}: header does not match the contract` +
        (missing.length ? `; missing column(s): ${missing.join(', ')}` : '') +
        (unknown.length ? `; unknown column(s): ${unknown.join(', ')}` : ''),
    );
    this.name = 'HeaderError';
  }
}

/** For each contract column, the index of the file column holding it. */
export function headerIndex(entity: EntityName, header: string[], file: string): number[] {
  const columns = contractColumns(entity);
  const positions = new Map(header.map((h, i) => [h.trim(), i]));
  const missing = columns.filter((c) => !positions.has(c.name) && !c.nullable).map((c) => c.name);
  const known = new Set(columns.map((c) => c.name));
  const unknown = header.filter((h) => !known.has(h.trim()));
  if (missing.length || unknown.length) throw new HeaderError(file, missing, unknown);
  return columns.map((c) => positions.get(c.name) ?? -1);
}

function decodeField(column: ColumnSpec, text: string | undefined): { value: unknown } | { violation: Omit<FieldViolation, 'record'> } {
  if (text === undefined || text === '') {
    if (column.nullable) return { value: null };
    return { violation: { path: column.name, rule: 'required', message: 'a value is required' } };
  }
  switch (column.kind) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n))
        return { violation: { path: column.name, rule: 'invalid_type', message: `expected a number, got "${text.slice(0, 40)}"` } };
      return { value: n };
    }
    case 'boolean':
      if (text === 'true') return { value: true };
      if (text === 'false') return { value: false };
      return { violation: { path: column.name, rule: 'invalid_type', message: 'expected true or false' } };
    default:
      return { value: text };
  }
}

/**
 * Decode and validate one record. `recordRef` names it in violations (e.g. "line 42").
 * Readings with a known LOINC code are brought into their canonical unit; a mislabelled or
 * implausible value is a violation of rule `implausible-value` or `unknown-unit`.
 */
export function decodeRecord(entity: EntityName, fields: string[], index: number[], recordRef: string): Decoded {
  const columns = contractColumns(entity);
  const raw: Record<string, unknown> = {};
  const fieldViolations: FieldViolation[] = [];
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!;
    const at = index[c]!;
    const decoded = decodeField(column, at < 0 ? undefined : fields[at]);
    if ('violation' in decoded) fieldViolations.push({ record: `${entity} ${recordRef}`, ...decoded.violation });
    else raw[column.name] = decoded.value;
  }
  const pk = PRIMARY_KEY[entity];
  const recordId = typeof raw[pk] === 'string' ? (raw[pk] as string) : null;
  if (fieldViolations.length) return { ok: false, recordId, violations: fieldViolations };

  const validated = validateRecord(entity, raw, recordRef);
  if (!validated.ok) return { ok: false, recordId, violations: validated.violations };
  const record = validated.value as Record<string, unknown>;

  let converted = false;
  if (entity === 'observation' && typeof record.value === 'number' && typeof record.unit === 'string') {
    const reading = normaliseReading(String(record.code), record.value, record.unit);
    if (!reading.ok)
      return { ok: false, recordId, violations: [{ record: `${entity} ${recordRef}`, path: 'value', rule: reading.rule, message: reading.message }] };
    if (reading.converted) {
      record.value = reading.value;
      record.unit = reading.unit;
      converted = true;
    }
  }
  return { ok: true, record, converted };
}

/** Where an entity's reading sits among its contract columns; null for entities without readings. */
interface ReadingColumns {
  codeAt: number;
  valueAt: number;
  unitAt: number;
}

function readingColumns(entity: EntityName, names: readonly string[]): ReadingColumns | null {
  const [codeAt, valueAt, unitAt] = ['code', 'value', 'unit'].map((n) => names.indexOf(n)) as [number, number, number];
  return entity === 'observation' && codeAt >= 0 && valueAt >= 0 && unitAt >= 0 ? { codeAt, valueAt, unitAt } : null;
}

/**
 * Brings an accepted row's reading (values in contract order) into its canonical unit, in place:
 * whether it was converted, or 'refused' when the reading rules refuse it (the full path words why).
 */
function canonicalReading(values: unknown[], at: ReadingColumns | null): boolean | 'refused' {
  if (!at || typeof values[at.valueAt] !== 'number' || typeof values[at.unitAt] !== 'string') return false;
  const reading = normaliseReading(String(values[at.codeAt]), values[at.valueAt] as number, values[at.unitAt] as string);
  if (!reading.ok) return 'refused';
  if (!reading.converted) return false;
  values[at.valueAt] = reading.value;
  values[at.unitAt] = reading.unit;
  return true;
}

/** A decoded row as the loader stages it: contract values in column order, or its violations. */
export type DecodedRow =
  | { ok: true; values: unknown[]; converted: boolean }
  | { ok: false; recordId: string | null; violations: FieldViolation[] };

/**
 * A row decoder for one file: the compiled fast path (fast-path.ts) takes the rows it can
 * accept, and every other row goes through `decodeRecord`, so rejects carry zod's field and rule.
 * Both paths apply the same reading rules (unit conversion, plausible range).
 */
export function rowDecoder(
  entity: EntityName,
  index: number[],
  headerWidth?: number,
  /** False where the caller has already tried the same compiled check (the staging encoder). */
  fastPath = true,
): (fields: string[], line: number) => DecodedRow {
  const names = contractColumns(entity).map((c) => c.name);
  const fast = fastPath ? tryCompileFastPath(entity, index) : null;
  const readings = readingColumns(entity, names);

  const slow = (fields: string[], line: number): DecodedRow => {
    const decoded = decodeRecord(entity, fields, index, `line ${line}`);
    if (!decoded.ok) return decoded;
    return { ok: true, values: names.map((n) => decoded.record[n]), converted: decoded.converted };
  };

  return (fields, line) => {
    // A row with more or fewer fields than its header has shifted values: no field can be trusted.
    if (headerWidth !== undefined && fields.length !== headerWidth) {
      const pk = index[names.indexOf(PRIMARY_KEY[entity])] ?? -1;
      return {
        ok: false,
        recordId: pk >= 0 && fields[pk] ? fields[pk]! : null,
        violations: [{ record: `${entity} line ${line}`, path: '(record)', rule: 'column-count', message: `has ${fields.length} fields; the header has ${headerWidth}` }],
      };
    }
    const values = fast?.(fields);
    if (!values) return slow(fields, line);
    const converted = canonicalReading(values, readings);
    // A reading the rules refuse is rejected by the full path, which words the violation.
    if (converted === 'refused') return slow(fields, line);
    return { ok: true, values, converted };
  };
}

/**
 * A row as the loader stages it: one line of CSV as PostgreSQL's `COPY ... (FORMAT csv)` reads it
 * (an unquoted empty field is NULL, a quoted one is text), contract columns first, then lineage
 * values the loader fixes per file, then the row's source line.
 */
export interface StagingLineEncoder {
  /**
   * The row's staging line (no line end), or null when the fast path does not accept it: the
   * caller then takes `rowDecoder`, which accepts the row or words its rejection, and
   * `stagingLine` for a row it accepts. `recordText` is the record as it stood in the file.
   */
  encode(fields: string[], recordText: string, line: number): string | null;
  /**
   * The same for a record not yet split into fields, in the common case only (LineFill): null
   * means "split it and call `encode`", not "rejected".
   */
  encodeLine(recordText: string, line: number): string | null;
  /** Whether the last accepted row had its reading converted to the canonical unit. */
  converted: boolean;
  /** The last accepted row's contract values, as staged (overwritten by the next row). */
  readonly values: readonly unknown[];
}

/** Text PostgreSQL reads as the same number JavaScript does: plain decimal, no exponent, sign or spaces. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const PLAIN_INTEGER = /^-?\d+$/;

/** One value as a staging CSV field: null unquoted-empty, text quoted when it must be (or is empty). */
function stagingField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value === '' ? '""' : csvField(value);
  if (typeof value === 'number') {
    // NaN or Infinity would be read by a float column, but are never valid data.
    if (!Number.isFinite(value)) throw new RangeError(`staging: non-finite number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new RangeError(`staging: cannot stage a value of type ${typeof value}`);
}

/** The staging line of a row's contract values (in contract order) and its lineage. */
export function stagingLine(values: readonly unknown[], lineage: readonly string[], line: number): string {
  let out = '';
  for (const v of values) out += stagingField(v) + ',';
  for (const v of lineage) out += stagingField(v) + ',';
  return out + line;
}

/**
 * The loader's hot path. An empty CSV field always decodes to null (or is rejected), and a field
 * that validated reads in PostgreSQL as the value it validated as, so a row the compiled fast path
 * accepts is, in the common case, staged as its own text: the file's line, lineage appended, with
 * no value built and no field re-encoded. A row whose columns are in another order, that holds a
 * quote, a reading converted to its canonical unit or a number in an unusual spelling is written
 * from its values instead.
 */
export function stagingLineEncoder(entity: EntityName, index: number[], headerWidth: number, lineage: readonly string[]): StagingLineEncoder {
  const columns = contractColumns(entity);
  const width = columns.length;
  const fill = tryCompileFastFill(entity, index);
  const readings = readingColumns(entity, columns.map((c) => c.name));
  const verbatimLayout = headerWidth === width && index.every((position, c) => position === c);
  const numbers = columns.flatMap((c, i) => (c.kind === 'number' || c.kind === 'integer' ? [{ at: i, plain: c.kind === 'integer' ? PLAIN_INTEGER : PLAIN_DECIMAL }] : []));
  const tail = ',' + lineage.map(stagingField).join(',') + ',';
  const values: unknown[] = new Array(width);
  // Only a file in contract order can be read in place (and staged as its own text).
  const lineFill = verbatimLayout ? tryCompileLineFill(entity, (c) => (c.kind === 'integer' ? PLAIN_INTEGER : PLAIN_DECIMAL)) : null;

  /** Brings an accepted row's reading into its canonical unit; false when the reading rules refuse it. */
  const normalise = (): boolean => {
    const converted = canonicalReading(values, readings);
    if (converted === 'refused') return false;
    encoder.converted = converted;
    return true;
  };

  const encoder: StagingLineEncoder = {
    converted: false,
    values,
    encodeLine(recordText, line) {
      if (!lineFill || !lineFill(recordText, values) || !normalise()) return null;
      // LineFill accepts only unquoted records with plainly spelt numbers: the text is staged as
      // it stands unless its reading was converted.
      return encoder.converted ? stagingLine(values, lineage, line) : recordText + tail + line;
    },
    encode(fields, recordText, line) {
      if (!fill || fields.length !== headerWidth || !fill(fields, values)) return null;
      if (!normalise()) return null;
      const converted = encoder.converted;
      // A quote means a quoted field; a bare carriage return would end the line for PostgreSQL.
      let verbatim = verbatimLayout && !converted && !recordText.includes('"') && !recordText.includes('\r');
      for (let i = 0; verbatim && i < numbers.length; i++) {
        const { at: c, plain } = numbers[i]!;
        if (values[c] !== null && !plain.test(fields[c]!)) verbatim = false;
      }
      return verbatim ? recordText + tail + line : stagingLine(values, lineage, line);
    },
  };
  return encoder;
}
