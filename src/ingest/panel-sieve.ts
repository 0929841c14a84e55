/**
 * A memory-light screen for swapped blood-pressure readings while a file is read, so the check
 * at prepare looks only at a handful of candidate panels instead of joining every staged
 * reading with every other (the join cost PostgreSQL ~0.5 µs per staged observation).
 *
 * Per panel, keyed by a 64-bit hash of its id (DuplicateSieve's hashKey), the table keeps the
 * lowest systolic and the highest diastolic value seen. A panel whose lowest systolic is below
 * its highest diastolic may hold a swapped pair and becomes a candidate. Panels sharing a hash
 * only merge their extremes, which can add candidates, never hide one; the SQL check then clears
 * the false ones. Duplicated rows are screened too, which likewise only adds candidates. When
 * more panels arrive than the largest table holds, the sieve gives up and the caller falls back
 * to the full SQL check. Pure: no I/O.
 */
import { hashKey } from './duplicate-sieve.ts';

/** Slots are kept at most this full; linear probing slows sharply beyond it. */
const MAX_LOAD = 0.75;
const MIN_SLOTS_LOG2 = 12;
/** Largest table: 2^24 slots, 24 bytes each (~400 MiB, about 12 million panels). */
const MAX_SLOTS_LOG2 = 24;
/** Beyond this many candidates a list of them saves the SQL check nothing. */
const MAX_CANDIDATES = 1_000_000;

export type BloodPressureHalf = 'systolic' | 'diastolic';

export class SwappedPanelSieve {
  #places = new Uint32Array(0);
  #fingerprints = new Uint32Array(0);
  #lowestSystolic = new Float64Array(0);
  #highestDiastolic = new Float64Array(0);
  #mask = 0;
  #limit = 0;
  #count = 0;
  #overflowed = false;
  readonly #hashes = new Uint32Array(2);
  /** Panels that may hold a systolic half below a diastolic half, each listed once. */
  readonly candidates = new Set<string>();

  constructor() {
    this.#allocate(MIN_SLOTS_LOG2);
  }

  /** True once more panels (or candidates) arrived than the sieve holds: `candidates` is then incomplete. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Record one half of a reading: `value` as staged (in its canonical unit). */
  add(panelId: string, half: BloodPressureHalf, value: number): void {
    if (this.#overflowed) return;
    hashKey(panelId, this.#hashes);
    const at = this.#slot(this.#hashes[0]!, this.#hashes[1]!);
    if (at < 0) return;
    if (half === 'systolic') this.#lowestSystolic[at] = Math.min(this.#lowestSystolic[at]!, value);
    else this.#highestDiastolic[at] = Math.max(this.#highestDiastolic[at]!, value);
    // Checked on every half, not only when the extremes change: a slot already flagged by another
    // panel sharing its hash must still list this panel.
    if (this.#lowestSystolic[at]! < this.#highestDiastolic[at]!) {
      this.candidates.add(panelId);
      if (this.candidates.size > MAX_CANDIDATES) this.#overflowed = true;
    }
  }

  /** The slot of a key (claimed when new), or -1 when the sieve just overflowed. */
  #slot(place: number, fingerprint: number): number {
    for (let at = place & this.#mask; ; at = (at + 1) & this.#mask) {
      const held = this.#fingerprints[at]!;
      if (held === fingerprint && this.#places[at] === place) return at;
      if (held !== 0) continue;
      if (this.#count >= this.#limit) {
        if (!this.#grow()) {
          this.#overflowed = true;
          return -1;
        }
        return this.#slot(place, fingerprint);
      }
      this.#places[at] = place;
      this.#fingerprints[at] = fingerprint;
      this.#count++;
      return at;
    }
  }

  #allocate(log2: number): void {
    const size = 2 ** log2;
    this.#places = new Uint32Array(size);
    this.#fingerprints = new Uint32Array(size);
    this.#lowestSystolic = new Float64Array(size).fill(Infinity);
    this.#highestDiastolic = new Float64Array(size).fill(-Infinity);
    this.#mask = size - 1;
    this.#limit = Math.floor(size * MAX_LOAD);
    this.#count = 0;
  }

  /** Double the table, keeping every slot; false when it is already as large as allowed. */
  #grow(): boolean {
    const log2 = Math.log2(this.#mask + 1) + 1;
    if (log2 > MAX_SLOTS_LOG2) return false;
    const [places, fingerprints, low, high] = [this.#places, this.#fingerprints, this.#lowestSystolic, this.#highestDiastolic];
    this.#allocate(log2);
    for (let i = 0; i < fingerprints.length; i++) {
      if (fingerprints[i] === 0) continue;
      const at = this.#slot(places[i]!, fingerprints[i]!);
      this.#lowestSystolic[at] = low[i]!;
      this.#highestDiastolic[at] = high[i]!;
    }
    return true;
  }
}
