import type { Timers } from "../timers.ts";
import type { LedgerEntry } from "./ledger_entry.ts";

/** A request in flight whose open record follows what it uses. */
interface Live {
  until: number;
  current: () => LedgerEntry;
  /** The output count of its record last written; `undefined` while none is written. */
  outputTokens: number | undefined;
}

/**
 * The open records (see `UsageLedger.open`) that are written again while
 * their request runs: every `intervalMs`, each whose output count grew since
 * its record was last written goes to `write` again, until the request
 * {@linkcode LiveOpenRecords.ended}. A request tracked without a record
 * written gets its first at the first refresh it is still running at. One
 * timer for all of them, armed only while one is tracked.
 *
 * @example
 * ```ts ignore
 * const live = new LiveOpenRecords(timers, 15_000, (entry, until) => buffer.push({ entry, until }));
 * live.track(entry, until, () => record.entryNow());
 * live.ended(entry.requestId);
 * ```
 */
export class LiveOpenRecords {
  readonly #timers: Timers;
  readonly #intervalMs: number;
  readonly #write: (entry: LedgerEntry, until: number) => void;
  readonly #live = new Map<string, Live>();
  #timer: number | undefined;
  #closed = false;

  /**
   * @param timers The timer of the refresh.
   * @param intervalMs Time between two refreshes, ms.
   * @param write Buffers an open record again (same `until`: it replaces the one in KV).
   */
  constructor(
    timers: Timers,
    intervalMs: number,
    write: (entry: LedgerEntry, until: number) => void,
  ) {
    this.#timers = timers;
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  /** Requests tracked. */
  get size(): number {
    return this.#live.size;
  }

  /**
   * Tracks a request in flight.
   *
   * @param requestId The request.
   * @param until Its open record's `until`.
   * @param current Its entry as known now.
   * @param written The entry of the open record just written, if one was.
   */
  track(
    requestId: string,
    until: number,
    current: () => LedgerEntry,
    written?: LedgerEntry,
  ): void {
    if (this.#closed) return;
    this.#live.set(requestId, { until, current, outputTokens: written?.outputTokens });
    this.#arm();
  }

  /** Stops tracking a request: its entry is written. */
  ended(requestId: string): void {
    this.#live.delete(requestId);
  }

  /**
   * Writes the record of every tracked request that has none yet, and again
   * that of every one whose output count grew.
   *
   * @returns How many it wrote.
   */
  refresh(): number {
    let n = 0;
    for (const live of this.#live.values()) {
      const entry = live.current();
      if (entry.outputTokens === live.outputTokens) continue;
      live.outputTokens = entry.outputTokens;
      this.#write(entry, live.until);
      n++;
    }
    return n;
  }

  /** Stops the timer and tracks nothing more. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#live.clear();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#live.size === 0 || this.#closed) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.refresh();
      this.#arm();
    }, this.#intervalMs);
  }
}
