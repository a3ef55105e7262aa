import type { Log } from "../log.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { rollUpBatch, rollUpChunks } from "./roll_up_batch.ts";
import { type LedgerKv, rollUpEntry, type TenantRollUps } from "./roll_up_entry.ts";
import { planRollUp, type RollUpPlan } from "./roll_up_plan.ts";

/** What one `UsageLedger.flush` did. */
export interface FlushReport {
  /** Entries made durable in the write-ahead log while it ran (a write it waited for included). */
  logged: number;
  /** Entries rolled up (moved from the log into the ledger and summed). */
  rolledUp: number;
  /** Entries already rolled up before (retried writes; not summed again). */
  duplicates: number;
}

/** Single-entry roll-ups in flight at once (when a chunk's batched roll-up found a conflict). */
const ROLL_UP_CONCURRENCY = 8;

/**
 * The usage ledger's roll-ups of entries it logged: a chunk at a time in one
 * KV operation, else one by one; an entry whose roll-up failed stays in the
 * write-ahead log and is retried by {@linkcode LoggedRollUps.retryStranded}.
 *
 * @example
 * ```ts ignore
 * const rollUps = new LoggedRollUps(kv, log);
 * await rollUps.chunk(entries, versionstamps, report);
 * ```
 */
export class LoggedRollUps {
  readonly #kv: LedgerKv;
  readonly #log?: Log;
  readonly #tenantRollUps?: TenantRollUps;
  /** Ids durable in the write-ahead log whose roll-up failed: retried on the next flush. */
  readonly #stranded = new Set<string>();
  /**
   * In the write-ahead log, not yet rolled up: planned when rolled up, not as they land (the
   * plans of a second's entries, held until the roll-up, outlived young-generation collections).
   */
  #logged: LedgerEntry[] = [];
  /** By request id, the versionstamp of the commit that logged each entry of `#logged`. */
  #versionstamps = new Map<string, string>();

  /**
   * @param kv Where the ledger lives.
   * @param log Where failures are reported.
   * @param tenantRollUps Which tenants get their own rows (see `rollupSums`; default every tenant).
   */
  constructor(kv: LedgerKv, log?: Log, tenantRollUps?: TenantRollUps) {
    this.#kv = kv;
    this.#log = log;
    this.#tenantRollUps = tenantRollUps;
  }

  /** Entries taken by {@linkcode LoggedRollUps.logged} and not rolled up yet. */
  get pending(): number {
    return this.#logged.length;
  }

  /**
   * Takes an entry just made durable in the write-ahead log, to roll up with
   * the next {@linkcode LoggedRollUps.rollUpLogged}.
   *
   * @param entry The entry.
   * @param versionstamp The versionstamp of the commit that logged it.
   */
  logged(entry: LedgerEntry, versionstamp: string): void {
    this.#logged.push(entry);
    this.#versionstamps.set(entry.requestId, versionstamp);
  }

  /**
   * Rolls up the entries whose roll-up failed before, then every entry
   * taken by {@linkcode LoggedRollUps.logged} so far, a chunk at a time.
   *
   * @param report Where the counts are added.
   */
  async rollUpLogged(report: FlushReport): Promise<void> {
    await this.retryStranded(report);
    const logged = this.#logged.splice(0);
    const versionstamps = this.#versionstamps;
    this.#versionstamps = new Map();
    const plans = logged.map((entry) => planRollUp(entry, this.#tenantRollUps));
    for (const chunk of rollUpChunks(plans)) {
      await this.chunk(chunk, versionstamps, report);
    }
  }

  /** Rolls up, one by one, the entries whose roll-up failed before. */
  async retryStranded(report: FlushReport): Promise<void> {
    for (const id of [...this.#stranded]) await this.one(id, report);
  }

  /**
   * Rolls up a chunk of logged entries in one KV operation; when a check fails
   * (some were rolled up before, or another instance took them), one by one, a few at a time
   * (entries are independent: their checks are on their own keys, sums do not conflict).
   */
  async chunk(
    chunk: readonly RollUpPlan[],
    versionstamps: ReadonlyMap<string, string>,
    report: FlushReport,
  ): Promise<void> {
    try {
      if (await rollUpBatch(this.#kv, chunk, versionstamps)) {
        report.rolledUp += chunk.length;
        return;
      }
    } catch (err) {
      for (const { entry } of chunk) this.#stranded.add(entry.requestId);
      this.#log?.({
        level: "warn",
        msg: "usage ledger roll-up failed; left in the write-ahead log",
        entries: chunk.length,
        error: err instanceof Error ? err.name : typeof err,
      });
      return;
    }
    for (let i = 0; i < chunk.length; i += ROLL_UP_CONCURRENCY) {
      await Promise.all(
        chunk.slice(i, i + ROLL_UP_CONCURRENCY).map(({ entry }) =>
          this.one(entry.requestId, report, entry.day)
        ),
      );
    }
  }

  /** Rolls up one logged entry (`day` saves a read when known). */
  async one(requestId: string, report: FlushReport, day?: string): Promise<void> {
    try {
      const r = await rollUpEntry(this.#kv, requestId, day, this.#tenantRollUps);
      this.#stranded.delete(requestId);
      if (r === "rolled_up") report.rolledUp++;
      else if (r === "duplicate") report.duplicates++;
    } catch (err) {
      this.#stranded.add(requestId);
      this.#log?.({
        level: "warn",
        msg: "usage ledger roll-up failed; left in the write-ahead log",
        request_id: requestId,
        error: err instanceof Error ? err.name : typeof err,
      });
    }
  }
}
