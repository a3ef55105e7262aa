/**
 * Deletes the KV data a retention plan says is due, in bounded batches.
 *
 * @module
 */
import type { RetentionRange, RetentionSettings, RetentionTarget } from "./retention_plan.ts";
import { retentionPlan } from "./retention_plan.ts";
import { rollupTenant, TENANT_INDEX_PREFIX, USER_INDEX_PREFIX } from "./roll_up_entry.ts";

/** What {@linkcode applyRetention} needs. */
export interface ApplyRetentionDeps {
  /** The KV store. */
  kv: Pick<Deno.Kv, "list" | "atomic">;
  /** The clock: picks today and bounds the run's time. */
  now: () => Date;
}

/** Bounds of one run of {@linkcode applyRetention}. */
export interface ApplyRetentionOptions {
  /**
   * Most deletions per atomic operation (KV allows 1,000 mutations).
   * @default {1000}
   */
  maxMutations?: number;
  /**
   * Most atomic operations per run; the rest is left for the next run.
   * @default {500}
   */
  maxBatches?: number;
  /**
   * Longest run, ms (checked before each commit); the rest is left for the next run.
   * @default {120000}
   */
  maxRunMs?: number;
}

/** Keys deleted by one run, per kind, and whether everything due was deleted. */
export interface RetentionCounts {
  /** `["ledger", "entry", day, id]` keys. */
  ledgerEntries: number;
  /** `["ledger", "by_user", user, day, id]` keys (deleted with their entry). */
  userIndex: number;
  /**
   * `["ledger", "by_tenant", tenant, day, id]` keys deleted with their entry:
   * one for every entry with a tenant, indexed or not (whether it was
   * depends on the admin tenants when it was rolled up).
   */
  tenantIndex: number;
  /** `["usage", day, ...]` roll-up keys (rows, `group_member`, `stats`). */
  usage: number;
  /** `["audit", at, ...]` records. */
  audit: number;
  /** `["audit_denied_count", minute, actor, ...]` counters. */
  auditDeniedCount: number;
  /** Atomic operations committed. */
  batches: number;
  /** False when the run stopped at its bounds with data still due (the next run goes on). */
  complete: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}/;

const COUNTER: Record<RetentionTarget, keyof RetentionCounts> = {
  ledger_entries: "ledgerEntries",
  usage: "usage",
  audit: "audit",
  audit_denied_count: "auditDeniedCount",
};

/**
 * Deletes what {@linkcode retentionPlan} finds due today: for each range, it
 * lists only keys below the range's first kept day (`kv.list` with an `end`
 * bound, so live data is never scanned) and deletes them in atomic
 * operations of at most `maxMutations`, each entry together with its
 * index keys (per user; per tenant for an entry with a tenant). A run stops at `maxBatches` or `maxRunMs`, with
 * `complete: false`; the next run starts again from the oldest key left, so
 * it resumes where this one stopped. Keys whose day part is not a
 * `YYYY-MM-DD…` string are skipped. Deleting is idempotent, so instances
 * running it at once only repeat each other's work.
 *
 * @param deps KV and clock.
 * @param settings Days kept per kind (0: forever).
 * @param options Bounds of the run.
 * @returns What was deleted.
 *
 * @example
 * ```ts
 * import { applyRetention } from "./apply_retention.ts";
 * const kv = await Deno.openKv(":memory:");
 * await kv.set(["usage", "2020-01-01", "user", "u", "m", "requests"], new Deno.KvU64(1n));
 * const counts = await applyRetention({ kv, now: () => new Date("2026-11-30T00:00:00Z") }, {
 *   ledgerDays: 400, usageDays: 400, auditDays: 400,
 * });
 * console.assert(counts.usage === 1 && counts.complete);
 * kv.close();
 * ```
 */
export async function applyRetention(
  deps: ApplyRetentionDeps,
  settings: RetentionSettings,
  options: ApplyRetentionOptions = {},
): Promise<RetentionCounts> {
  const maxMutations = Math.max(2, Math.min(options.maxMutations ?? 1000, 1000));
  const maxBatches = options.maxBatches ?? 500;
  const maxRunMs = options.maxRunMs ?? 120_000;
  const started = deps.now().getTime();
  const counts: RetentionCounts = {
    ledgerEntries: 0,
    userIndex: 0,
    tenantIndex: 0,
    usage: 0,
    audit: 0,
    auditDeniedCount: 0,
    batches: 0,
    complete: true,
  };
  let pending: { key: Deno.KvKey; counter: keyof RetentionCounts }[] = [];
  // Commits the pending deletions, unless the run is out of bounds (then false).
  const flush = async (): Promise<boolean> => {
    if (pending.length === 0) return true;
    if (counts.batches >= maxBatches || deps.now().getTime() - started >= maxRunMs) return false;
    const op = deps.kv.atomic();
    for (const { key } of pending) op.delete(key);
    const result = await op.commit();
    if (!result.ok) throw new Error("Cannot delete expired data: the KV commit was refused");
    for (const { counter } of pending) (counts[counter] as number)++;
    counts.batches++;
    pending = [];
    return true;
  };
  for (const range of retentionPlan(deps.now(), settings)) {
    for await (const item of _due(deps.kv, range, maxMutations)) {
      const keys = _keysOf(range, item);
      if (keys.length === 0) continue;
      if (pending.length + keys.length > maxMutations && !(await flush())) {
        counts.complete = false;
        return counts;
      }
      pending.push(...keys);
    }
    if (!(await flush())) {
      counts.complete = false;
      return counts;
    }
  }
  return counts;
}

/** The keys of a range below its first kept day, oldest first. */
function _due(
  kv: Pick<Deno.Kv, "list">,
  range: RetentionRange,
  batchSize: number,
): Deno.KvListIterator<unknown> {
  return kv.list(
    { prefix: range.prefix, end: [...range.prefix, range.before] },
    { batchSize: Math.min(batchSize, 500) },
  );
}

/** The deletions of one listed key: none if its day part is not a day; an entry's with its index keys. */
function _keysOf(
  range: RetentionRange,
  item: Deno.KvEntry<unknown>,
): { key: Deno.KvKey; counter: keyof RetentionCounts }[] {
  const day = item.key[range.prefix.length];
  if (typeof day !== "string" || !DAY.test(day) || day >= range.before) return [];
  const out = [{ key: item.key, counter: COUNTER[range.target] }];
  if (range.target === "ledger_entries") {
    const { user, tid } = (item.value ?? {}) as { user?: unknown; tid?: unknown };
    const requestId = item.key[range.prefix.length + 1];
    if (typeof user === "string" && requestId !== undefined) {
      out.push({ key: [...USER_INDEX_PREFIX, user, day, requestId], counter: "userIndex" });
    }
    if (typeof tid === "string" && requestId !== undefined) {
      const key = [...TENANT_INDEX_PREFIX, rollupTenant(tid), day, requestId];
      out.push({ key, counter: "tenantIndex" });
    }
  }
  return out;
}
