import type { GatewayMetrics } from "../gateway_metrics.ts";
import type { Log } from "../log.ts";
import type { LedgerItem } from "./write_ahead_batch.ts";

/**
 * What the usage ledger's writer tells operators: the buffered-entries
 * gauge, counters of entries written, dropped and failed, and a log line for
 * each loss or failure (request ids and counts, never an entry's content).
 *
 * @example
 * ```ts ignore
 * const telemetry = new LedgerTelemetry(log, metrics);
 * telemetry.buffered(buffer.length);
 * ```
 */
export class LedgerTelemetry {
  readonly #log: Log | undefined;
  readonly #metrics: GatewayMetrics | undefined;

  /**
   * @param log Where losses and failures are logged; absent: nowhere.
   * @param metrics Where the gauge and counters go; absent: nowhere.
   */
  constructor(log: Log | undefined, metrics: GatewayMetrics | undefined) {
    this.#log = log;
    this.#metrics = metrics;
  }

  /**
   * Sets `ccgate_ledger_buffered_entries`.
   *
   * @param count Entries waiting in memory for the write-ahead log.
   */
  buffered(count: number): void {
    this.#metrics?.set("ccgate_ledger_buffered_entries", {}, count);
  }

  /**
   * The buffer was full and its oldest entries were dropped: counts them
   * (`ccgate_ledger_dropped_total`) and logs an error.
   *
   * @param count Entries dropped.
   */
  dropped(count: number): void {
    this.#metrics?.increment("ccgate_ledger_dropped_total", {}, count);
    this.#log?.({
      level: "error",
      msg: "usage ledger buffer full: entries dropped",
      dropped: count,
    });
  }

  /**
   * A write-ahead commit failed (its entries stay buffered): counts it
   * (`ccgate_ledger_write_failures_total`) and logs a warning with the error's name.
   *
   * @param entries Items in the failed batch.
   * @param err The KV error.
   */
  writeFailed(entries: number, err: unknown): void {
    this.#metrics?.increment("ccgate_ledger_write_failures_total");
    this.#log?.({
      level: "warn",
      msg: "usage ledger write failed; will retry",
      entries,
      error: err instanceof Error ? err.name : typeof err,
    });
  }

  /**
   * Counts entries made durable in the write-ahead log (`ccgate_ledger_entries_written_total`).
   *
   * @param count Entries written ahead by one commit.
   */
  written(count: number): void {
    this.#metrics?.increment("ccgate_ledger_entries_written_total", {}, count);
  }

  /**
   * Items no KV value can hold were dropped: counts them as write failures
   * and logs an error per request id.
   *
   * @param unwritable The dropped items.
   */
  tooLarge(unwritable: readonly LedgerItem[]): void {
    this.#metrics?.increment("ccgate_ledger_write_failures_total", {}, unwritable.length);
    for (const { entry } of unwritable) {
      this.#log?.({
        level: "error",
        msg: "usage ledger entry too large to write: dropped",
        request_id: entry.requestId,
      });
    }
  }
}
