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
 *
 * Keys are placed a batch at a time, in the order of their slots. A table of tens of megabytes
 * probed in arrival order missed the cache and the TLB on nearly every key: staging the
 * 1,000,000-member load's observation file, the probe took 15% of the thread's profile (~0.5 µs a
 * key), and 5% placed in slot order, which walks the table once per batch.
 */

/** Slots are kept at most this full; linear probing slows sharply beyond it. */
const MAX_LOAD = 0.75;
/** Largest table: 2^27 slots, 512 MiB (about 100 million keys). */
const MAX_SLOTS_LOG2 = 27;
const MIN_SLOTS_LOG2 = 10;
/** Beyond this many candidates a list of them saves the SQL check nothing. */
const MAX_CANDIDATES = 1_000_000;
/** Keys held back before they are placed in slot order. */
const BATCH = 1 << 15;
/** A batch is ordered by the top bits of its slots: 2^10 runs, each a short stretch of the table. */
const ORDER_BITS = 10;

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
  readonly #orderShift: number;
  readonly #hashes = new Uint32Array(2);
  #count = 0;
  #overflowed = false;
  readonly #candidates = new Set<string>();
  // The batch waiting to be placed, and the scratch used to order it.
  readonly #pendingPlaces = new Uint32Array(BATCH);
  readonly #pendingFingerprints = new Uint32Array(BATCH);
  readonly #pendingKeys: string[] = new Array<string>(BATCH);
  #pending = 0;
  readonly #runStarts = new Int32Array((1 << ORDER_BITS) + 1);
  readonly #order = new Uint32Array(BATCH);

  /** A sieve for about `expectedKeys` keys (the caller's estimate, with its own margin). */
  constructor(expectedKeys: number) {
    const wanted = Math.max(1, Math.ceil(expectedKeys / MAX_LOAD));
    const log2 = Math.min(MAX_SLOTS_LOG2, Math.max(MIN_SLOTS_LOG2, Math.ceil(Math.log2(wanted))));
    this.#slots = new Uint32Array(2 ** log2);
    this.#mask = 2 ** log2 - 1;
    this.#limit = Math.floor(2 ** log2 * MAX_LOAD);
    this.#orderShift = log2 - ORDER_BITS;
  }

  /** True once more keys (or candidates) arrived than the sieve holds: `candidates` is then incomplete. */
  get overflowed(): boolean {
    this.#placePending();
    return this.#overflowed;
  }

  /** Keys seen more than once (or sharing a fingerprint with an earlier key), each listed once. */
  get candidates(): ReadonlySet<string> {
    this.#placePending();
    return this.#candidates;
  }

  /** Record `key`; a key whose fingerprint was already recorded becomes a candidate. */
  add(key: string): void {
    if (this.#overflowed) return;
    hashKey(key, this.#hashes);
    const i = this.#pending++;
    this.#pendingPlaces[i] = this.#hashes[0]! & this.#mask;
    this.#pendingFingerprints[i] = this.#hashes[1]!;
    this.#pendingKeys[i] = key;
    if (this.#pending === BATCH) this.#placePending();
  }

  /** Place the waiting batch, run by run of the table (a counting sort on the slots' top bits). */
  #placePending(): void {
    const n = this.#pending;
    if (n === 0) return;
    this.#pending = 0;
    const places = this.#pendingPlaces;
    const starts = this.#runStarts;
    const order = this.#order;
    const shift = this.#orderShift;
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[(places[i]! >>> shift) + 1]!++;
    for (let r = 1; r < starts.length; r++) starts[r]! += starts[r - 1]!;
    for (let i = 0; i < n; i++) order[starts[places[i]! >>> shift]!++] = i;
    for (let k = 0; k < n && !this.#overflowed; k++) {
      const i = order[k]!;
      this.#place(places[i]!, this.#pendingFingerprints[i]!, this.#pendingKeys[i]!);
    }
    // Strings are not held past their batch.
    this.#pendingKeys.fill('', 0, n);
  }

  #place(place: number, fingerprint: number, key: string): void {
    const slots = this.#slots;
    for (let at = place; ; at = (at + 1) & this.#mask) {
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
        this.#candidates.add(key);
        if (this.#candidates.size > MAX_CANDIDATES) this.#overflowed = true;
        return;
      }
    }
  }
}
