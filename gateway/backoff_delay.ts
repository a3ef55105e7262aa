/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, milliseconds; doubles on each retry. */
  baseMs: number;
  /** Largest ceiling, milliseconds. */
  maxMs: number;
  /** A random number in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from
 * `[0, min(maxMs, baseMs · 2^(retry-1)))`, so retries from many requests
 * spread out instead of arriving together.
 *
 * @param retry Which retry this is: 1 for the first.
 * @param options Base, cap and the random source.
 * @returns Whole milliseconds to wait.
 *
 * @example The third retry with base 100 ms waits less than 400 ms
 * ```ts
 * import { backoffDelay } from "./backoff_delay.ts";
 * console.assert(backoffDelay(3, { baseMs: 100, maxMs: 2_000, random: () => 0.5 }) === 200);
 * ```
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}
