import type { Timers } from "../timers.ts";

/**
 * The pace of the usage ledger's write-ahead commits (a group commit): one
 * run of commits at a time, started a microtask after it is asked for (so
 * entries appended in the same turn go in the same commit), or once
 * `intervalMs` has passed since the last commit started. A run asked for
 * while one is in flight is left to it (it takes what is buffered when its
 * commit ends); asked for "at once", it also hurries a run that waits for
 * its interval.
 *
 * @example
 * ```ts ignore
 * const pacer = new CommitPacer(timers, 250, () => writes());
 * pacer.request(false); // writes() a microtask later, or after the interval
 * // in writes(): pacer.started() before each commit, pacer.ended() when done
 * ```
 */
export class CommitPacer {
  readonly #timers: Timers;
  readonly #intervalMs: number;
  readonly #run: () => void;
  /** A run is in flight or waits for its interval: it takes every entry appended until it ends. */
  #running = false;
  /** The run waiting for `intervalMs` to pass. */
  #timer: number | undefined;
  /** When the last commit started (`timers.now()`). */
  #lastStart = -Infinity;

  /**
   * @param timers The clock and timers (fake in tests).
   * @param intervalMs Least time between the starts of two commits, ms (0: none).
   * @param run Writes the buffer (calls {@linkcode CommitPacer.started} per
   * commit and {@linkcode CommitPacer.ended} when it is done).
   */
  constructor(timers: Timers, intervalMs: number, run: () => void) {
    this.#timers = timers;
    this.#intervalMs = intervalMs;
    this.#run = run;
  }

  /**
   * Starts a run unless one is in flight: a microtask later, or once the
   * interval has passed since the last commit started.
   *
   * @param atOnce Start without waiting for the interval, and hurry a run that waits for it.
   */
  request(atOnce: boolean): void {
    if (this.#running) {
      if (atOnce && this.#timer !== undefined) {
        this.#timers.clearTimeout(this.#timer);
        this.#timer = undefined;
        queueMicrotask(() => this.#run());
      }
      return;
    }
    this.#running = true;
    const wait = atOnce ? 0 : this.#lastStart + this.#intervalMs - this.#timers.now();
    // A microtask later at least: entries appended in the same turn go in the same commit.
    if (wait <= 0) queueMicrotask(() => this.#run());
    else {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = undefined;
        this.#run();
      }, wait);
    }
  }

  /** A commit starts now: the next waits for the interval from here. */
  started(): void {
    this.#lastStart = this.#timers.now();
  }

  /** The run ended: the next {@linkcode CommitPacer.request} starts another. */
  ended(): void {
    this.#running = false;
  }
}
