/**
 * A memory-light filter for keys seen twice while a file is read, so the publish step looks for
 * duplicates only among a handful of candidate keys instead of sorting every staged row (the
 * sort was the dearest SQL of a publish: ~2 µs of PostgreSQL time per row).
 *
 * Each key is kept as a 31-bit fingerprint in an open-addressing table of 32-bit slots (4 bytes
 * per slot, 1.3 to 2.7 slots per expected key: ~134 MiB for the 18 million readings of a
 * million members): no false negatives (a repeated key always lands on its own
 * earlier fingerprint), and a false positive only makes a unique key a candidate, which the SQL
 * check then clears. When more keys arrive than the table was sized for, the sieve gives up and
 * the caller falls back to the full SQL check. Pure: no I/O.
 */

/** Slots are kept at most this full; linear probing slows sharply beyond it. */
const MAX_LOAD = 0.75;
/** Largest table: 2^27 slots, 512 MiB (about 100 million keys). */
const MAX_SLOTS_LOG2 = 27;
const MIN_SLOTS_LOG2 = 10;
/** Beyond this many candidates a list of them saves the SQL check nothing. */
const MAX_CANDIDATES = 1_000_000;

/**
 * Two independent 32-bit hashes of `key` in one pass (FNV-1a and a multiply-rotate hash), into
 * `out`: out[0] places the key, out[1] is its fingerprint, never zero (zero marks an empty slot).
 */
export function hashKey(key: string, out: Uint32Array): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul((h2 ^ c) << 5 | (h2 ^ c) >>> 27, 0x85ebca6b);
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x7feb352d);
  h1 ^= h1 >>> 15;
  h2 ^= h2 >>> 13;
  h2 = Math.imul(h2, 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  out[0] = h1 >>> 0;
  out[1] = (h2 | 1) >>> 0;
}

export class DuplicateSieve {
  readonly #slots: Uint32Array;
  readonly #mask: number;
  readonly #limit: number;
  readonly #hashes = new Uint32Array(2);
  #count = 0;
  #overflowed = false;
  /** Keys seen more than once (or sharing a fingerprint with an earlier key), each listed once. */
  readonly candidates = new Set<string>();

  /** A sieve for about `expectedKeys` keys (the caller's estimate, with its own margin). */
  constructor(expectedKeys: number) {
    const wanted = Math.max(1, Math.ceil(expectedKeys / MAX_LOAD));
    const log2 = Math.min(MAX_SLOTS_LOG2, Math.max(MIN_SLOTS_LOG2, Math.ceil(Math.log2(wanted))));
    this.#slots = new Uint32Array(2 ** log2);
    this.#mask = 2 ** log2 - 1;
    this.#limit = Math.floor(2 ** log2 * MAX_LOAD);
  }

  /** True once more keys (or candidates) arrived than the sieve holds: `candidates` is then incomplete. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Record `key`; a key whose fingerprint was already recorded becomes a candidate. */
  add(key: string): void {
    if (this.#overflowed) return;
    hashKey(key, this.#hashes);
    const fingerprint = this.#hashes[1]!;
    const slots = this.#slots;
    for (let at = this.#hashes[0]! & this.#mask; ; at = (at + 1) & this.#mask) {
      const held = slots[at]!;
      if (held === 0) {
        if (this.#count >= this.#limit) {
          this.#overflowed = true;
          return;
        }
        slots[at] = fingerprint;
        this.#count++;
        return;
      }
      if (held === fingerprint) {
        this.candidates.add(key);
        if (this.candidates.size > MAX_CANDIDATES) this.#overflowed = true;
        return;
      }
    }
  }
}
