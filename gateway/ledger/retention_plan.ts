/**
 * Which KV data is old enough to delete, per retention setting. Pure: the
 * I/O is `applyRetention` (apply_retention.ts).
 *
 * @module
 */
import { AUDIT_DENIED_COUNT_PREFIX, AUDIT_PREFIX } from "../admin/audit_log.ts";
import { ENTRY_PREFIX, USAGE_PREFIX } from "./roll_up_entry.ts";

/** How many days each kind of data is kept; 0 keeps it forever. */
export interface RetentionSettings {
  /** Ledger entries and their per-user and per-tenant index (`CCGATE_LEDGER_RETENTION_DAYS`). */
  ledgerDays: number;
  /** Daily roll-ups `["usage", day, ...]` (`CCGATE_USAGE_RETENTION_DAYS`). */
  usageDays: number;
  /** Admin audit records and denied-call counters (`CCGATE_AUDIT_RETENTION_DAYS`). */
  auditDays: number;
}

/** A kind of data the retention sweep deletes. */
export type RetentionTarget = "ledger_entries" | "usage" | "audit" | "audit_denied_count";

/**
 * One range due for deletion: the keys under `prefix` whose next part (a day
 * `YYYY-MM-DD`, or an ISO time starting with one) sorts before `before`.
 */
export interface RetentionRange {
  /** What the range holds. */
  target: RetentionTarget;
  /** The key prefix; its next part is the day or time. */
  prefix: Deno.KvKey;
  /** The first day kept (`YYYY-MM-DD`): everything before it is due. */
  before: string;
}

const DAY_MS = 86_400_000;

/**
 * The ranges due for deletion on the UTC day of `now`: for each setting N
 * above 0, the days more than N days before today (day `today − N` and
 * younger are kept, so nothing younger than N days is due, and today never
 * is). `["ledger", "wal"]` and `["ledger", "open"]` are never planned: crash
 * recovery needs them. Pure.
 *
 * @param now The current time.
 * @param settings Days kept per kind (0: forever).
 * @returns The ranges to delete, none for a setting of 0.
 *
 * @example
 * ```ts
 * import { retentionPlan } from "./retention_plan.ts";
 * const plan = retentionPlan(new Date("2026-11-30T12:00:00Z"), { ledgerDays: 30, usageDays: 0, auditDays: 30 });
 * console.assert(plan[0]!.before === "2026-10-31");
 * console.assert(!plan.some((r) => r.target === "usage"));
 * ```
 */
export function retentionPlan(now: Date, settings: RetentionSettings): RetentionRange[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const firstKept = (days: number) => new Date(today - days * DAY_MS).toISOString().slice(0, 10);
  const out: RetentionRange[] = [];
  if (settings.ledgerDays > 0) {
    out.push({
      target: "ledger_entries",
      prefix: ENTRY_PREFIX,
      before: firstKept(settings.ledgerDays),
    });
  }
  if (settings.usageDays > 0) {
    out.push({ target: "usage", prefix: USAGE_PREFIX, before: firstKept(settings.usageDays) });
  }
  if (settings.auditDays > 0) {
    const before = firstKept(settings.auditDays);
    out.push({ target: "audit", prefix: AUDIT_PREFIX, before });
    out.push({ target: "audit_denied_count", prefix: AUDIT_DENIED_COUNT_PREFIX, before });
  }
  return out;
}
