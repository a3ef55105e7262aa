/**
 * Timers that only move when a test says so: the resilience code's
 * timeouts, backoff and circuit breaker run on them deterministically.
 *
 * @module
 */
import type { Timers } from "../gateway/timers.ts";

/** A {@linkcode Timers} whose clock advances only through {@linkcode FakeTimers.advance}. */
export class FakeTimers implements Timers {
  #now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();
  #waiters: { delay: number; resolve: () => void }[] = [];

  /** Current fake time, ms. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` at now + `ms`. */
  setTimeout(callback: () => void, ms: number): number {
    const handle = this.#next++;
    this.#due.set(handle, { at: this.#now + Math.max(0, ms), callback });
    this.#waiters = this.#waiters.filter((w) => w.delay !== ms || (w.resolve(), false));
    return handle;
  }

  /** Cancels a pending callback. */
  clearTimeout(handle: number): void {
    this.#due.delete(handle);
  }

  /** Callbacks scheduled and not yet run or cleared: 0 means no leaked timer. */
  get pending(): number {
    return this.#due.size;
  }

  /** The delays (from now) of the pending callbacks, soonest first. */
  get delays(): number[] {
    return [...this.#due.values()].map((d) => d.at - this.#now).sort((a, b) => a - b);
  }

  /**
   * Resolves once a callback `delay` ms from now is pending (at once if one
   * is): how a test knows the code under test reached a timeout or backoff.
   */
  whenPending(delay: number): Promise<void> {
    if (this.delays.includes(delay)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ delay, resolve }));
  }

  /** Moves the clock by `ms`, running every callback that falls due, in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let soonest: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#due) {
        if (entry[1].at <= until && (soonest === undefined || entry[1].at < soonest[1].at)) {
          soonest = entry;
        }
      }
      if (soonest === undefined) break;
      this.#due.delete(soonest[0]);
      this.#now = soonest[1].at;
      soonest[1].callback();
    }
    this.#now = until;
  }
}
