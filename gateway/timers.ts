/**
 * The clock and timers the resilience code runs on. Production passes
 * {@linkcode systemTimers}; tests pass a fake they advance by hand, so
 * timeouts, backoff and the circuit breaker never depend on real time.
 */
export interface Timers {
  /** Monotonic milliseconds (like `performance.now()`). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@linkcode Timers.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): number;
  /** Cancels a pending callback; unknown or spent handles are ignored. */
  clearTimeout(handle: number): void;
}

/**
 * The real clock: `performance.now()` and the global timers.
 *
 * @example
 * ```ts
 * import { systemTimers } from "./timers.ts";
 * const handle = systemTimers.setTimeout(() => {}, 1_000);
 * systemTimers.clearTimeout(handle);
 * ```
 */
export const systemTimers: Timers = Object.freeze({
  now: () => performance.now(),
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms) as unknown as number,
  clearTimeout: (handle: number) => clearTimeout(handle),
});
