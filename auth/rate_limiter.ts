/** Options of {@linkcode RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per window (also the burst). */
  limit: number;
  /**
   * Window length, ms; the bucket refills `limit` tokens per window.
   * @default {60_000}
   */
  windowMs?: number;
  /** The clock. */
  now: () => Date;
  /**
   * Most keys tracked; when full, idle (full) buckets are dropped, then the oldest.
   * @default {100_000}
   */
  maxKeys?: number;
  /**
   * Called when a key is first refused after being allowed (once per
   * episode, not per refused request): the operator's log line.
   */
  onLimited?: (key: string, retryAfterSeconds: number) => void;
}

/**
 * An in-memory token bucket per key (client address, user). Per instance:
 * with N instances the effective limit is up to N times higher, which is
 * acceptable for its purpose (blunting credential stuffing and runaway
 * refresh loops), not a quota.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number; refusing: boolean }>();
  readonly #onLimited: ((key: string, retryAfterSeconds: number) => void) | undefined;
  #refused = 0;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => Date;
  readonly #maxKeys: number;

  /**
   * @param options Limit, window, clock.
   *
   * @example Allow two requests a minute
   * ```ts
   * import { RateLimiter } from "@ccgate/auth";
   *
   * const limiter = new RateLimiter({ limit: 2, now: () => new Date(0) });
   * console.log(limiter.take("ip"), limiter.take("ip"), limiter.take("ip")); // 0 0 30
   * ```
   */
  constructor(options: RateLimiterOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#onLimited = options.onLimited;
  }

  /** Requests refused since start (all keys). */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Takes one token for `key`.
   *
   * @param key Who is asking.
   * @returns 0 if allowed, else the seconds to wait before retrying.
   */
  take(key: string): number {
    const at = this.#now().getTime();
    const perMs = this.#limit / this.#windowMs;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#makeRoom(at);
      bucket = { tokens: this.#limit, at, refusing: false };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#limit, bucket.tokens + (at - bucket.at) * perMs);
      bucket.at = at;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return 0;
    }
    const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    this.#refused++;
    if (!bucket.refusing) {
      bucket.refusing = true;
      this.#onLimited?.(key, wait);
    }
    return wait;
  }

  #makeRoom(at: number): void {
    if (this.#buckets.size < this.#maxKeys) return;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (at - bucket.at) * (this.#limit / this.#windowMs) >= this.#limit) {
        this.#buckets.delete(key);
      }
    }
    while (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done) break;
      this.#buckets.delete(oldest.value);
    }
  }
}
