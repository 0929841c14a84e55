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
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          // A hole stays empty, as Array.prototype.join leaves it.
          if (!(i in value)) continue;
          const v: unknown = value[i];
          if (v === undefined) throw fail('undefined inside an array');
          out += write(v, fail);
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw fail(`only plain objects can be hashed (got ${(proto as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'unknown'})`);
      const object = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, as canonical JSON orders keys.
      const keys = Object.keys(object).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = object[key];
        if (v === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += quotedKey(key) + write(v, fail);
      }
      return `${out}}`;
    }
    default:
      throw fail(`cannot hash a ${typeof value}`);
  }
}

/** SHA-256 of a string, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
