import type { Log, LogRecord } from "./log.ts";

/** Options of {@linkcode SampledLog}. */
export interface SampledLogOptions {
  /** Most lines per key in one interval. */
  perInterval: number;
  /** The interval, milliseconds. */
  intervalMs: number;
  /** Clock, milliseconds. */
  now: () => number;
  /**
   * Most keys remembered; beyond it every key starts afresh (keys should be
   * a fixed set, such as refusal reasons). @default {64}
   */
  maxKeys?: number;
}

interface _Window {
  start: number;
  written: number;
  suppressed: number;
}

/**
 * A log that writes at most `perInterval` lines per key in each interval and
 * drops the rest, for lines any client can cause (a refused credential):
 * the first line written after some were dropped carries their number as
 * `suppressed`. Keep an exact count beside it in a metric.
 *
 * @example At most two lines per second per reason
 * ```ts
 * import { SampledLog } from "./sampled_log.ts";
 * let now = 0;
 * const lines: unknown[] = [];
 * const log = new SampledLog((r) => lines.push(r), { perInterval: 2, intervalMs: 1_000, now: () => now });
 * for (let i = 0; i < 5; i++) log.write("token_invalid", { level: "warn", msg: "refused" });
 * now = 1_000;
 * log.write("token_invalid", { level: "warn", msg: "refused" });
 * console.assert(lines.length === 3);
 * ```
 */
export class SampledLog {
  readonly #log: Log;
  readonly #options: SampledLogOptions;
  readonly #windows = new Map<string, _Window>();

  /**
   * @param log Where the lines that are kept go.
   * @param options Rate, interval, clock.
   */
  constructor(log: Log, options: SampledLogOptions) {
    this.#log = log;
    this.#options = options;
  }

  /**
   * Writes `record` unless `key` has had its lines for this interval; a
   * written record gets `suppressed` (the lines dropped since the last one
   * written) when some were.
   *
   * @param key What the rate is kept per (a bounded set).
   * @param record The line.
   * @returns Whether it was written.
   */
  write(key: string, record: LogRecord): boolean {
    const { perInterval, intervalMs, now } = this.#options;
    const at = now();
    let w = this.#windows.get(key);
    if (w === undefined) {
      if (this.#windows.size >= (this.#options.maxKeys ?? 64)) this.#windows.clear();
      w = { start: at, written: 0, suppressed: 0 };
      this.#windows.set(key, w);
    } else if (at - w.start >= intervalMs) {
      w.start = at;
      w.written = 0;
    }
    if (w.written >= perInterval) {
      w.suppressed++;
      return false;
    }
    w.written++;
    if (w.suppressed > 0) {
      record.suppressed = w.suppressed;
      w.suppressed = 0;
    }
    this.#log(record);
    return true;
  }
}
