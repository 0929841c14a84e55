/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` object members
 * dropped. Refuses what JSON would silently change (non-finite numbers, undefined in arrays,
 * class instances such as Decimal or Date), so equal values always hash equally. Used for every
 * fingerprint and hash chain in Stratum.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown, fail: (message: string) => Error = (m) => new TypeError(m)): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw fail(`non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value
          .map((v) => {
            if (v === undefined) throw fail('undefined inside an array');
            return canonicalJson(v, fail);
          })
          .join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw fail(`only plain objects can be hashed (got ${proto?.constructor?.name ?? 'unknown'})`);
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, fail)}`).join(',')}}`;
    }
    default:
      throw fail(`cannot hash a ${typeof value}`);
  }
}

/** SHA-256 of a string, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
