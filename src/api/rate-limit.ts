/**
 * In-memory token bucket per API principal: `burst` tokens, refilled at `ratePerSecond`. One
 * process only; behind several replicas each enforces its own share (documented trade-off: no
 * shared store is needed to start the service on a bare machine).
 */
export interface RateLimitConfig {
  /** Refill rate; 0 disables limiting. */
  ratePerSecond: number;
  /** Bucket capacity: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

/** Outcome of taking one token. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets beyond this many trigger a sweep of the full (idle) ones, bounding memory. */
const SWEEP_THRESHOLD = 10_000;

export class TokenBucketLimiter {
  readonly #config: RateLimitConfig;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /** `now` returns milliseconds; injectable so tests need not sleep. */
  constructor(config: RateLimitConfig, now: () => number = Date.now) {
    if (!(config.burst >= 1)) throw new RangeError(`rate limit burst must be >= 1, got ${config.burst}`);
    if (!(config.ratePerSecond >= 0)) throw new RangeError(`rate limit ratePerSecond must be >= 0, got ${config.ratePerSecond}`);
    this.#config = config;
    this.#now = now;
  }

  /** Take one token from `key`'s bucket. */
  take(key: string): TakeResult {
    const { ratePerSecond, burst } = this.#config;
    if (ratePerSecond === 0) return { allowed: true };
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: burst, updatedMs: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * ratePerSecond);
    bucket.updatedMs = now;
    if (!this.#buckets.has(key)) {
      if (this.#buckets.size >= SWEEP_THRESHOLD) this.#sweep(now);
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    // Whole seconds, at least 1 (Retry-After is an integer, RFC 9110 10.2.3).
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) };
  }

  #sweep(now: number): void {
    const { ratePerSecond, burst } = this.#config;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.updatedMs) / 1000) * ratePerSecond >= burst) this.#buckets.delete(key);
    }
  }
}
