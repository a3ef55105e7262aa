import type { Timers } from "../timers.ts";

/**
 * The usage ledger's flush timer: once armed, it runs one flush
 * `intervalMs` later; arming it again meanwhile changes nothing, so a busy
 * ledger flushes once per interval, not once per commit.
 *
 * @example
 * ```ts ignore
 * const timer = new FlushTimer(timers, 1_000, () => ledger.flush().catch(() => {}));
 * timer.arm(); // a flush in a second
 * timer.clear(); // or none
 * ```
 */
export class FlushTimer {
  readonly #timers: Timers;
  readonly #intervalMs: number;
  readonly #flush: () => void;
  #timer: number | undefined;

  /**
   * @param timers The clock and timers (fake in tests).
   * @param intervalMs How long after it is armed the flush runs, ms.
   * @param flush Runs the flush (its errors are its own to handle).
   */
  constructor(timers: Timers, intervalMs: number, flush: () => void) {
    this.#timers = timers;
    this.#intervalMs = intervalMs;
    this.#flush = flush;
  }

  /** Arms the timer unless it is armed. */
  arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#intervalMs);
  }

  /** Disarms the timer: the flush it would have run does not run. */
  clear(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
