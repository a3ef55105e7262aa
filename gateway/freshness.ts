import type { Log } from "./log.ts";

/** Options of {@linkcode Freshness}. */
export interface FreshnessOptions {
  /** Longest time since the last success before it counts as stale, ms. */
  maxAgeMs: number;
  /** The clock. */
  now: () => Date;
  /** Where the transitions are logged. */
  log: Log;
  /** The warning logged when it goes stale (with `ageMs`, `maxAgeMs`, `error`). */
  stale: { msg: string; event: string };
  /** The line logged when it is fresh again. */
  fresh: { msg: string; event: string };
}

/**
 * How fresh something pulled from another service is (the revocation feed,
 * the verification keys): the time of the last success, the last error, and
 * the transitions between fresh and stale, each logged once however often
 * it is checked.
 *
 * @example
 * ```ts
 * import { Freshness } from "./freshness.ts";
 * const lines: object[] = [];
 * const freshness = new Freshness({
 *   maxAgeMs: 60_000, now: () => new Date(), log: (r) => lines.push(r),
 *   stale: { msg: "feed stale", event: "feed_stale" }, fresh: { msg: "feed back", event: "feed_fresh" },
 * });
 * freshness.update();
 * console.assert(freshness.stale && lines.length === 1);
 * freshness.succeeded();
 * console.assert(!freshness.stale && lines.length === 2);
 * ```
 */
export class Freshness {
  readonly #options: FreshnessOptions;
  #lastOkAt: number | undefined;
  #lastError: string | undefined;
  #stale = false;

  /** @param options The bound, clock, log and the lines to log. */
  constructor(options: FreshnessOptions) {
    this.#options = options;
  }

  /** Whether it was stale when last updated. */
  get stale(): boolean {
    return this.#stale;
  }

  /** The last error since the last success. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Time since the last success, ms; `undefined` before the first. */
  age(): number | undefined {
    return this.#lastOkAt === undefined
      ? undefined
      : this.#options.now().getTime() - this.#lastOkAt;
  }

  /** Whether `age` is past the bound (or there was no success yet). */
  isStale(age: number | undefined = this.age()): boolean {
    return age === undefined || age > this.#options.maxAgeMs;
  }

  /** Records a success now (and logs the return to fresh). */
  succeeded(): void {
    this.#lastOkAt = this.#options.now().getTime();
    this.#lastError = undefined;
    this.update(0);
  }

  /** Records a failure's text, named by the next stale warning. */
  failed(error: string): void {
    this.#lastError = error;
  }

  /** Logs the transition between fresh and stale, once each. */
  update(age: number | undefined = this.age()): void {
    const stale = this.isStale(age);
    if (stale === this.#stale) return;
    this.#stale = stale;
    if (stale) {
      this.#options.log({
        level: "warn",
        ...this.#options.stale,
        ageMs: age ?? null,
        maxAgeMs: this.#options.maxAgeMs,
        error: this.#lastError ?? null,
      });
    } else {
      this.#options.log({ level: "info", ...this.#options.fresh });
    }
  }
}

/** `ms` as seconds with one decimal, e.g. `1.5 s`. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
