/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` object members
 * dropped. Refuses what JSON would silently change (non-finite numbers, undefined in arrays,
 * class instances such as Decimal or Date), so equal values always hash equally. Used for every
 * fingerprint and hash chain in Stratum.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown, fail: (message: string) => Error = (m) => new TypeError(m)): string {
  return write(value, fail);
}

/**
 * `"key":` for each key seen, so a record's field names are quoted once, not once per row (every
 * score fingerprints a member's whole record). Bounded: a flood of distinct keys stops caching.
 */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Characters JSON.stringify escapes: quote, backslash, controls and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * An object's members in canonical order: keys sorted, each already quoted. Arrays of records
 * (a member's observations, claims, ...) hold many objects with the same keys in the same
 * insertion order, so one element's order is reused for the next while its keys match.
 */
interface KeyOrder {
  /** Keys in insertion order (what Object.keys gave), to recognise the next object of the same shape. */
  own: string[];
  sorted: string[];
  quoted: string[];
}

function keyOrder(own: string[]): KeyOrder {
  // Default sort compares UTF-16 code units, as canonical JSON orders keys.
  const sorted = [...own].sort();
  return { own, sorted, quoted: sorted.map(quotedKey) };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// One string built by appending, without the intermediate entry arrays, closures and joins of a
// map/join formulation: the output is the same, at a fraction of the cost.
function write(value: unknown, fail: (message: string) => Error): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      // Most strings (ids, codes, dates) need no escaping; JSON.stringify only for those that do.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw fail(`non-finite number ${value}`);
      // A finite number's JSON is its shortest round-trip text, as String gives it.
      return String(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        let order: KeyOrder | undefined;
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          // A hole stays empty, as Array.prototype.join leaves it.
          if (!(i in value)) continue;
          const v: unknown = value[i];
          if (v === undefined) throw fail('undefined inside an array');
          if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
            const own = plainKeys(v, fail);
            if (order === undefined || !sameKeys(own, order.own)) order = keyOrder(own);
            out += writeObject(v as Record<string, unknown>, order, fail);
          } else out += write(v, fail);
        }
        return `${out}]`;
      }
      return writeObject(value as Record<string, unknown>, keyOrder(plainKeys(value, fail)), fail);
    }
    default:
      throw fail(`cannot hash a ${typeof value}`);
  }
}

/** The own enumerable keys of a plain object; anything else is refused. */
function plainKeys(value: object, fail: (message: string) => Error): string[] {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw fail(`only plain objects can be hashed (got ${(proto as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'unknown'})`);
  return Object.keys(value);
}

function writeObject(object: Record<string, unknown>, order: KeyOrder, fail: (message: string) => Error): string {
  const { sorted, quoted } = order;
  let out = '{';
  let first = true;
  for (let k = 0; k < sorted.length; k++) {
    const v = object[sorted[k]!];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quoted[k]! + write(v, fail);
  }
  return `${out}}`;
}

/** SHA-256 of a string, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
