import { MINUTE_MS } from "./counter_window.ts";

/** A rate limit's two counts, as {@linkcode slidingCount} and {@linkcode slidingRetryAfter} read them. */
export interface MinuteCounts {
  /** Requests counted in the previous calendar minute. */
  previous: number;
  /** Requests counted in the current calendar minute so far. */
  current: number;
  /** Milliseconds since the current minute began (0 to 59,999). */
  elapsedMs: number;
}

/**
 * The requests of the last 60 seconds, estimated from two calendar-minute
 * counters: the current minute's count plus the previous minute's, weighted
 * by how much of it the sliding minute still covers (the "sliding window
 * counter" of rate limiters; it assumes the previous minute's requests were
 * spread evenly). Unlike a fixed minute, it does not let a burst of twice
 * the limit through at a minute's boundary. Rounded up to a whole request, which
 * is exact for the decision `count + 1 <= limit`. Pure.
 *
 * @param counts The two counts and the time into the current minute.
 * @returns The requests the sliding minute holds, a whole number.
 *
 * @example
 * ```ts
 * import { slidingCount } from "./sliding_minute.ts";
 * // 60 requests last minute, 10 this one, 45 s in: a quarter of last minute still counts.
 * console.assert(slidingCount({ previous: 60, current: 10, elapsedMs: 45_000 }) === 25);
 * ```
 */
export function slidingCount(counts: MinuteCounts): number {
  const weight = 1 - Math.min(MINUTE_MS, Math.max(0, counts.elapsedMs)) / MINUTE_MS;
  // Rounded to a millionth first, so that 3 × (1 − 40/60) counts 1, not 1.0000000000000002 → 2.
  return Math.ceil(Math.round((counts.previous * weight + counts.current) * 1e6) / 1e6);
}

/**
 * Seconds until one more request (or `amount` more tokens) fits under `limit`
 * in the sliding minute (see {@linkcode slidingCount}) if nothing else is
 * counted: what a 429's `retry-after` says. At least 1. Pure.
 *
 * @param counts The two counts and the time into the current minute.
 * @param limit Requests (or tokens) per minute.
 * @param amount What the next request adds: 1 request, or its tokens (at most `limit`).
 * @returns Whole seconds, at least 1.
 *
 * @example
 * ```ts
 * import { slidingRetryAfter } from "./sliding_minute.ts";
 * // A limit of 2, both used 20 s into this minute: the next minute must slide half past them.
 * console.assert(slidingRetryAfter({ previous: 0, current: 2, elapsedMs: 20_000 }, 2) === 70);
 * ```
 */
export function slidingRetryAfter(counts: MinuteCounts, limit: number, amount = 1): number {
  const room = limit - amount;
  const elapsed = Math.min(MINUTE_MS, Math.max(0, counts.elapsedMs));
  let waitMs: number;
  if (counts.current <= room && counts.previous > 0) {
    // Within this minute, as the previous minute's share slides out.
    const at = MINUTE_MS * (1 - (room - counts.current) / counts.previous);
    waitMs = at - elapsed;
  } else if (counts.current > 0) {
    // This minute's requests become the previous minute's, and slide out in the next.
    waitMs = MINUTE_MS - elapsed + MINUTE_MS * Math.max(0, 1 - room / counts.current);
  } else {
    waitMs = 0;
  }
  return Math.max(1, Math.ceil(Math.round(waitMs) / 1000));
}
