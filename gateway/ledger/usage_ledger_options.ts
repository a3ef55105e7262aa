import type { GatewayMetrics } from "../gateway_metrics.ts";
import type { Log } from "../log.ts";
import type { Timers } from "../timers.ts";
import type { LedgerKv, TenantRollUps } from "./roll_up_entry.ts";

/** Options of `UsageLedger`. */
export interface UsageLedgerOptions {
  /** Where the ledger lives. */
  kv: LedgerKv;
  /** Timers of the roll-up interval and of write retries (a `FakeTimers` in tests). */
  timers: Timers;
  /**
   * Roll up logged entries this long after the first one, ms; also the wait before a failed
   * write-ahead is tried again. Entries reach the write-ahead log at once, not after this.
   * @default {1000}
   */
  flushIntervalMs?: number;
  /**
   * Least time between the starts of two write-ahead commits, ms: entries
   * appended meanwhile wait for the next commit and go in it together, so a
   * busy gateway makes one commit per interval, not one per request (each
   * commit costs CPU on the gateway's core, and on KV). An entry appended
   * after a quiet interval is written at once. A process that dies without
   * draining loses at most the entries of the last interval and of the write
   * in flight. 0 writes every entry as it comes.
   * @default {0}
   */
  writeIntervalMs?: number;
  /** The wall clock, ms since the epoch (open records' `until`). @default {Date.now} */
  clock?: () => number;
  /**
   * How often the open records of requests still in flight are written again
   * with what they have used since (see `UsageLedger.open`), ms: a
   * process that dies loses at most this long of a stream's output.
   * @default {15000}
   */
  openRefreshMs?: number;
  /** Most entries in one write-ahead commit; roll up at once when this many are logged. @default {100} */
  maxBatch?: number;
  /** Most entries held in memory while KV is failing; beyond it the oldest are dropped (and logged). @default {100000} */
  maxBuffered?: number;
  /** Where write failures are reported. */
  log?: Log;
  /** Counters of entries written and failures. */
  metrics?: GatewayMetrics;
  /**
   * Which tenants' entries are rolled up for their tenant too (see `rollupSums`): the gateway's
   * are those outside its admin tenants. @default {EVERY_TENANT}
   */
  tenantRollUps?: TenantRollUps;
}
