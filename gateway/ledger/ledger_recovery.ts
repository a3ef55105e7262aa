import type { Log } from "../log.ts";
import type { LedgerEntry, OpenRecord } from "./ledger_entry.ts";
import type { FlushReport, LoggedRollUps } from "./logged_roll_ups.ts";
import {
  type LedgerKv,
  OPEN_PREFIX,
  rollUpEntry,
  type TenantRollUps,
  WAL_PREFIX,
} from "./roll_up_entry.ts";

/**
 * Moves the open records whose `until` has passed (`now`) into the
 * write-ahead log, each in one atomic operation guarded by its versionstamp
 * (two instances sweeping at once move it once), and rolls each up: what
 * `UsageLedger.sweep` does.
 *
 * @param kv The ledger's KV.
 * @param now The wall clock, ms since the epoch.
 * @param skip Requests to leave alone (this writer's own, still in flight).
 * @param rollUps Rolls a moved entry up.
 * @returns The entries it moved.
 *
 * @example
 * ```ts ignore
 * const moved = await sweepOpenRecords(kv, Date.now(), () => false, rollUps);
 * ```
 */
export async function sweepOpenRecords(
  kv: LedgerKv,
  now: number,
  skip: (requestId: string) => boolean,
  rollUps: LoggedRollUps,
): Promise<LedgerEntry[]> {
  const moved: LedgerEntry[] = [];
  // Keyed by `until` first: only the records whose time has passed are listed.
  const expired = { prefix: OPEN_PREFIX, end: [...OPEN_PREFIX, now + 1] };
  for await (const item of kv.list<OpenRecord>(expired)) {
    const id = item.key.at(-1) as string;
    if (skip(id)) continue;
    const wal = [...WAL_PREFIX, id];
    const done = await kv.atomic().check(item).set(wal, item.value.entry).delete(item.key)
      .commit();
    if (!done.ok) continue; // another instance moved it, or its entry arrived
    await rollUps.one(id, { logged: 0, rolledUp: 0, duplicates: 0 });
    moved.push(item.value.entry);
  }
  return moved;
}

/**
 * Rolls up every entry in the write-ahead log: what `UsageLedger.recover`
 * does at start-up. An entry whose roll-up fails stays in the log for the
 * next start and is logged; the others are rolled up all the same.
 *
 * @param kv The ledger's KV.
 * @param log Where a failed roll-up is reported.
 * @param tenantRollUps Which tenants get their own rows (see `rollupSums`; default every tenant).
 * @returns What it did.
 *
 * @example
 * ```ts ignore
 * const report = await recoverLog(kv, log);
 * ```
 */
export async function recoverLog(
  kv: LedgerKv,
  log?: Log,
  tenantRollUps?: TenantRollUps,
): Promise<FlushReport> {
  const report: FlushReport = { logged: 0, rolledUp: 0, duplicates: 0 };
  for await (const item of kv.list<LedgerEntry>({ prefix: WAL_PREFIX })) {
    const id = item.key.at(-1) as string;
    try {
      const r = await rollUpEntry(kv, id, undefined, tenantRollUps);
      if (r === "rolled_up") report.rolledUp++;
      else if (r === "duplicate") report.duplicates++;
    } catch (err) {
      log?.({
        level: "error",
        msg: "usage ledger: a logged entry could not be rolled up; left in the log",
        request_id: id,
        error: err instanceof Error ? err.name : typeof err,
      });
    }
  }
  return report;
}
