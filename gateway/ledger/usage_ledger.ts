import type { LedgerEntry } from "./ledger_entry.ts";
import { recoverLog, sweepOpenRecords } from "./ledger_recovery.ts";
import { type FlushReport, LoggedRollUps } from "./logged_roll_ups.ts";
import type { LedgerKv } from "./roll_up_entry.ts";
import { LiveOpenRecords } from "./live_open_records.ts";
import { CommitPacer } from "./commit_pacer.ts";
import { FlushTimer } from "./flush_timer.ts";
import { LedgerTelemetry } from "./ledger_telemetry.ts";
import { NextCommit } from "./next_commit.ts";
import type { UsageLedgerOptions } from "./usage_ledger_options.ts";
import { type LedgerItem, takeBatch, writeAheadOp } from "./write_ahead_batch.ts";

export type { FlushReport } from "./logged_roll_ups.ts";
export type { UsageLedgerOptions } from "./usage_ledger_options.ts";

/**
 * The usage ledger's writer. The hot path only {@linkcode UsageLedger.append}s,
 * which never waits on KV; the entry goes to a write-ahead log in KV
 * (`["ledger", "wal", requestId]`: idempotent, a retry overwrites the same
 * record) in a group commit: at once after a quiet spell, else at most one
 * commit per `writeIntervalMs` and never two at a time, entries that arrive
 * meanwhile going together in the next, so a busy gateway writes bigger
 * batches, not more of them, and a process that dies loses at most the
 * entries of the write in flight and of the last interval. A request in
 * flight can be {@linkcode UsageLedger.open}ed: its open record is written
 * the same way, and {@linkcode UsageLedger.sweep} (any instance's) rolls it
 * up as `interrupted` if its entry never comes. A flush (`flushIntervalMs` after
 * the first logged entry, at `maxBatch` logged entries, on shutdown, or by
 * hand) then rolls the logged entries up, up to 50 in one atomic operation
 * (`rollUpBatch`: entries + daily sums + log removal, guarded by
 * each log record's versionstamp, with no read first), or one by one
 * (`rollUpEntry`) when that finds a conflict.
 * {@linkcode UsageLedger.recover} rolls up what a crashed writer left in the
 * log. A failed write keeps the entries in memory and is tried again after
 * `flushIntervalMs`.
 *
 * @example
 * ```ts ignore
 * const ledger = new UsageLedger({ kv, timers: systemTimers });
 * await ledger.recover();
 * ledger.append(entry);
 * await ledger.close(); // flushes
 * ```
 */
export class UsageLedger {
  readonly #options:
    & Required<Omit<UsageLedgerOptions, "log" | "metrics" | "tenantRollUps">>
    & UsageLedgerOptions;
  /** Appended (entries) and opened (with `until`), not yet in KV, in order. */
  #buffer: LedgerItem[] = [];
  /** Requests whose open record this writer put in KV and whose entry it has not written yet. */
  #opened = new Map<string, number>();
  /** Requests opened with a way to read their entry now: refreshed until their entry is appended. */
  readonly #live: LiveOpenRecords;
  /** Holds the entries logged and not yet rolled up; rolls them up, and retries those that failed. */
  readonly #rollUps: LoggedRollUps;
  /** Paces the write-ahead commits: one run at a time, `writeIntervalMs` between starts. */
  readonly #pacer: CommitPacer;
  /** The buffered-entries gauge, the counters and the log lines of losses and failures. */
  readonly #telemetry: LedgerTelemetry;
  /** The last write-ahead failed: appends leave the next try to the timer. */
  #backingOff = false;
  /** Settles with the next write-ahead commit: resolves when it lands, rejects when it fails. */
  #committed = new NextCommit();
  /** Entries appended so far. */
  #appended = 0;
  /** Entries that left the buffer for good, in append order: logged, or dropped when it was full. */
  #settled = 0;
  /** Entries logged so far, to report a flush's share. */
  #loggedCount = 0;
  /** A roll-up for a full batch is asked for and has not started. */
  #rollUpAsked = false;
  /** Runs a flush `flushIntervalMs` after it is armed (see `#schedule`). */
  readonly #flushTimer: FlushTimer;
  #running: Promise<FlushReport> = Promise.resolve({ logged: 0, rolledUp: 0, duplicates: 0 });
  #closed = false;

  /** @param options KV, timers, batch sizes, log, metrics. */
  constructor(options: UsageLedgerOptions) {
    this.#options = {
      flushIntervalMs: 1_000,
      writeIntervalMs: 0,
      openRefreshMs: 15_000,
      clock: Date.now,
      maxBatch: 100,
      maxBuffered: 100_000,
      ...options,
    };
    this.#rollUps = new LoggedRollUps(options.kv, options.log, options.tenantRollUps);
    this.#live = new LiveOpenRecords(
      options.timers,
      this.#options.openRefreshMs,
      (entry, until) => this.#push({ entry, until }),
    );
    this.#pacer = new CommitPacer(
      options.timers,
      this.#options.writeIntervalMs,
      () => this.#writes(),
    );
    this.#telemetry = new LedgerTelemetry(options.log, options.metrics);
    this.#flushTimer = new FlushTimer(options.timers, this.#options.flushIntervalMs, () => {
      this.flush().catch(() => {});
    });
  }

  /** The KV store the ledger lives in (the admin API reads it). */
  get kv(): LedgerKv {
    return this.#options.kv;
  }

  /** Entries waiting in memory for the write-ahead log. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Entries and open records not yet durable in KV: buffered, or in a commit still in flight. */
  get unwritten(): number {
    return this.#appended - this.#settled;
  }

  /**
   * Adds an entry; never waits on KV. The write-ahead of it starts at once,
   * or when the write in flight ends and `writeIntervalMs` has passed since
   * it started (at once when a batch is full).
   *
   * @param entry The entry.
   */
  append(entry: LedgerEntry): void {
    this.#live.ended(entry.requestId);
    this.#push({ entry });
  }

  /**
   * Records that a request is in flight, so that its usage is not lost if
   * this process dies before {@linkcode UsageLedger.append} of its entry:
   * `entry` (outcome `interrupted`, with what is known so far) is kept in KV
   * under `["ledger", "open", until, requestId]`, written like entries and
   * deleted in the commit that writes the entry ahead (or never written when
   * both go in one commit). A later call for the same request, with the same
   * `until`, replaces it. Any instance's {@linkcode UsageLedger.sweep} rolls
   * it up after `until`. With `current`, the record is written again every
   * `openRefreshMs` while its output count grows (a long stream's output),
   * until the request's entry is appended.
   *
   * @param entry The entry to roll up if the request's end is never logged.
   * @param until When the request can no longer be running, ms since the epoch.
   * @param current The request's entry as known now (outcome `interrupted`).
   */
  open(entry: LedgerEntry, until: number, current?: () => LedgerEntry): void {
    if (current !== undefined && !this.#closed) {
      this.#live.track(entry.requestId, until, current, entry);
    }
    this.#push({ entry, until });
  }

  /**
   * Like {@linkcode UsageLedger.open}, for a request that is usually short
   * (a non-streamed call): its open record is written only if it is still in
   * flight at the next refresh (within `openRefreshMs`), and rewritten after
   * like an open one's, so most such requests cost no KV write.
   *
   * @param requestId The request.
   * @param until When the request can no longer be running, ms since the epoch.
   * @param current The request's entry as known now (outcome `interrupted`).
   */
  openLater(requestId: string, until: number, current: () => LedgerEntry): void {
    this.#live.track(requestId, until, current);
  }

  /**
   * Writes the open record of every request opened later that has none yet,
   * and again that of every request opened with `current` whose output
   * count grew since its record was last written: what the `openRefreshMs`
   * timer does.
   *
   * @returns How many records it wrote.
   */
  refreshOpen(): number {
    return this.#live.refresh();
  }

  #push(item: LedgerItem): void {
    this.#buffer.push(item);
    this.#appended++;
    if (this.#buffer.length > this.#options.maxBuffered) {
      const dropped = this.#buffer.splice(0, this.#buffer.length - this.#options.maxBuffered);
      this.#settled += dropped.length;
      // A dropped entry's open record stays in KV: any instance's sweep rolls it up, this one too.
      for (const { entry, until } of dropped) {
        if (until === undefined) this.#opened.delete(entry.requestId);
      }
      this.#telemetry.dropped(dropped.length);
    }
    this.#gauge();
    // After a failed write, the next try waits for the timer (or a flush): KV failed a moment
    // ago, and a try per request would only repeat the failure (and its log line).
    if (!this.#backingOff) this.#write();
  }

  /**
   * Waits until every entry appended before the call is in the write-ahead
   * log (durable); entries appended meanwhile are not waited for, so a busy
   * gateway's flush is not put off by the next requests.
   *
   * @throws The KV error when a write-ahead commit failed (the entries stay buffered).
   */
  durable(): Promise<void> {
    return this.#durable(this.#appended);
  }

  /** Waits until the first `target` entries appended have left the buffer. */
  async #durable(target: number): Promise<void> {
    while (this.#settled < target) {
      const next = this.#committed.promise;
      this.#write(true); // at once, even after a failure or within the interval: the caller asked
      await next;
    }
  }

  /**
   * Writes ahead every entry appended before the call, then rolls up every
   * logged one. Flushes run one at a time; a call waits for the one in
   * progress and then runs its own.
   *
   * @returns What this flush did.
   * @throws The KV error when a write-ahead commit failed (the entries stay buffered).
   */
  flush(): Promise<FlushReport> {
    const target = this.#appended;
    const run = this.#running.catch(() => {}).then(() => this.#flush(target));
    this.#running = run;
    return run;
  }

  /**
   * Rolls up, as `interrupted`, the open records (see
   * {@linkcode UsageLedger.open}) whose `until` has passed: requests whose
   * gateway died before their end was logged. Each is moved into the
   * write-ahead log in one atomic operation guarded by its versionstamp (so
   * two instances sweeping at once move it once), then rolled up. Call at
   * start-up and every few minutes.
   *
   * @returns The entries it moved (rolled up, or left to the next flush when that failed).
   */
  sweep(): Promise<LedgerEntry[]> {
    const skip = (id: string) => this.#opened.has(id);
    return sweepOpenRecords(this.#options.kv, this.#options.clock(), skip, this.#rollUps);
  }

  /**
   * Rolls up every entry left in the write-ahead log (by a writer that
   * crashed, or by another instance): call at start-up. An entry whose
   * roll-up fails stays in the log for the next start and is logged; the
   * others are rolled up all the same.
   *
   * @returns What it did.
   */
  recover(): Promise<FlushReport> {
    return recoverLog(this.#options.kv, this.#options.log, this.#options.tenantRollUps);
  }

  /** Stops the timer and flushes what is buffered: the drain hook on shutdown. */
  async close(): Promise<FlushReport> {
    this.#closed = true;
    this.#flushTimer.clear();
    this.#live.close();
    return await this.flush();
  }

  /**
   * Starts writing the buffer ahead unless a write is in flight (that one
   * takes what is buffered when its commit ends): a microtask later, or once
   * `writeIntervalMs` has passed since the last commit started. `urgent` (a
   * caller waits for durability), a full batch or a closed ledger start it
   * at once, and hurry a write that waits for its interval.
   */
  #write(urgent = false): void {
    if (this.#buffer.length === 0) return;
    this.#pacer.request(urgent || this.#full());
  }

  async #writes(): Promise<void> {
    let failed = false;
    let failure: unknown;
    try {
      await this.#writeAhead();
      this.#backingOff = false;
    } catch (err) {
      failed = true;
      failure = err;
      this.#backingOff = true;
      this.#schedule(); // tried again after the interval
    }
    this.#pacer.ended();
    // Whoever began waiting for a commit after the last one settled learns that none follows.
    this.#committed.settle(failed, failure);
    if (!this.#backingOff) this.#write(); // what arrived as the last commit settled
  }

  /**
   * Writes the buffer to the write-ahead log, batch by batch, until it is
   * empty; with `writeIntervalMs`, entries appended during a commit wait for
   * the next interval unless they make a full batch.
   */
  async #writeAhead(): Promise<void> {
    while (this.#buffer.length > 0) {
      this.#pacer.started();
      const { batch, unwritable } = takeBatch(this.#buffer, this.#options.maxBatch);
      this.#drop(unwritable);
      if (batch.length === 0) continue;
      const op = this.#options.kv.atomic();
      const { entries, opened } = writeAheadOp(op, batch, this.#opened);
      let versionstamp: string;
      try {
        const result = await op.commit();
        if (!result.ok) throw new Error("write-ahead commit was not applied");
        versionstamp = result.versionstamp;
      } catch (err) {
        this.#buffer.unshift(...batch);
        this.#gauge();
        this.#telemetry.writeFailed(batch.length, err);
        this.#committed.settle(true, err);
        throw err;
      }
      // From here the batch is durable: a crash before its roll-up is redone by recover().
      for (const { entry, until } of opened) this.#opened.set(entry.requestId, until);
      for (const entry of entries) {
        this.#opened.delete(entry.requestId);
        this.#rollUps.logged(entry, versionstamp);
      }
      this.#settled += batch.length;
      this.#loggedCount += entries.length;
      this.#gauge();
      this.#telemetry.written(entries.length);
      this.#committed.settle(false);
      if (this.#rollUps.pending >= this.#options.maxBatch || this.#closed) {
        // After close (streams ended by a drain record late), every entry is rolled up at once.
        if (!this.#rollUpAsked) {
          this.#rollUpAsked = true;
          this.flush().catch(() => {});
        }
      } else {
        this.#schedule();
      }
      // What arrived during the commit waits for the next interval, unless it cannot wait.
      if (this.#options.writeIntervalMs > 0 && !this.#full()) return;
    }
  }

  /** Drops entries no KV value can hold (see `takeBatch`), loudly: they would block every other. */
  #drop(unwritable: readonly LedgerItem[]): void {
    if (unwritable.length === 0) return;
    this.#settled += unwritable.length;
    this.#gauge();
    this.#telemetry.tooLarge(unwritable);
  }

  /** The buffer must be written without waiting for the interval: a full batch, or closed. */
  #full(): boolean {
    return this.#closed || this.#buffer.length >= this.#options.maxBatch;
  }

  /** Writes ahead the first `target` entries appended (those before the flush was asked), then rolls up. */
  async #flush(target: number): Promise<FlushReport> {
    this.#flushTimer.clear();
    this.#rollUpAsked = false;
    const loggedBefore = this.#loggedCount;
    const report: FlushReport = { logged: 0, rolledUp: 0, duplicates: 0 };
    try {
      await this.#durable(target);
    } finally {
      report.logged = this.#loggedCount - loggedBefore;
    }
    await this.#rollUps.rollUpLogged(report);
    return report;
  }

  /** Arms the flush timer unless it is armed or the ledger is closed. */
  #schedule(): void {
    if (!this.#closed) this.#flushTimer.arm();
  }

  #gauge(): void {
    this.#telemetry.buffered(this.#buffer.length);
  }
}
