import type { LedgerEntry } from "./ledger_entry.ts";

/** The KV operations the ledger uses (a `Deno.Kv`, or a wrapper of one). */
export type LedgerKv = Pick<Deno.Kv, "get" | "getMany" | "list" | "atomic" | "set">;

/** Key prefix of the write-ahead log: `["ledger", "wal", requestId]`. */
export const WAL_PREFIX: Deno.KvKey = ["ledger", "wal"];
/**
 * Key prefix of requests in flight: `["ledger", "open", until, requestId]` →
 * `OpenRecord`, deleted with the write-ahead of the request's entry; keyed by
 * `until` first, so a sweep lists only the records whose time has passed.
 */
export const OPEN_PREFIX: Deno.KvKey = ["ledger", "open"];

/** The KV key of a request's open record. */
export function openKey(until: number, requestId: string): Deno.KvKey {
  return [...OPEN_PREFIX, until, requestId];
}
/** Key prefix of rolled-up entries: `["ledger", "entry", day, requestId]`. */
export const ENTRY_PREFIX: Deno.KvKey = ["ledger", "entry"];
/** Key prefix of daily rollups: `["usage", day, "user"|"group", name, model, metric]`. */
export const USAGE_PREFIX: Deno.KvKey = ["usage"];

/** The summed metrics of a rollup row (each its own `Deno.KvU64` key). */
export const ROLLUP_METRICS = [
  "requests",
  "errors",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cost_nano_usd",
  "unpriced",
] as const;

/** One of {@linkcode ROLLUP_METRICS}. */
export type RollupMetric = typeof ROLLUP_METRICS[number];

/** Groups summed per entry (each costs one rollup row). */
export const MAX_ROLLUP_GROUPS = 20;

/** What {@linkcode rollUpEntry} did. */
export type RollUpResult =
  /** Summed into the rollups and moved from the log to the entries, in one atomic operation. */
  | "rolled_up"
  /** Already rolled up before (a retried write): the log record was only removed. */
  | "duplicate"
  /** Nothing in the log under that id (another writer took it). */
  | "gone";

/**
 * The rollup increments of one entry: per day, per user × model and per
 * group × model, every non-zero metric. Pure.
 *
 * @param entry The ledger entry.
 * @returns `[key, amount]` pairs for KV `sum` mutations.
 *
 * @example
 * ```ts
 * import { rollupSums } from "./roll_up_entry.ts";
 * const sums = rollupSums({
 *   requestId: "req_1", at: "2026-11-30T10:00:00.000Z", day: "2026-11-30", user: "u", sid: "s",
 *   groups: [], roles: [], route: "messages", model: "m", bedrockModel: "b", stream: true,
 *   inputTokens: 3, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null,
 *   firstByteMs: 1, totalMs: 2, status: 200, outcome: "completed", errorType: null,
 * });
 * console.assert(sums.some(([k, n]) => k.at(-1) === "output_tokens" && n === 5n));
 * ```
 */
export function rollupSums(entry: LedgerEntry): [Deno.KvKey, bigint][] {
  const amounts: Record<RollupMetric, bigint> = {
    requests: 1n,
    errors: entry.outcome === "completed" ? 0n : 1n,
    input_tokens: BigInt(entry.inputTokens),
    output_tokens: BigInt(entry.outputTokens),
    cache_read_tokens: BigInt(entry.cacheReadTokens),
    cache_write_tokens: BigInt(entry.cacheWriteTokens),
    cost_nano_usd: entry.costUsd === null ? 0n : BigInt(Math.round(entry.costUsd * 1e9)),
    unpriced: entry.costUsd === null ? 1n : 0n,
  };
  const model = entry.bedrockModel ?? entry.model ?? "unknown";
  const rows: Deno.KvKey[] = [[...USAGE_PREFIX, entry.day, "user", entry.user, model]];
  for (const group of new Set(entry.groups.slice(0, MAX_ROLLUP_GROUPS))) {
    rows.push([...USAGE_PREFIX, entry.day, "group", group, model]);
  }
  const out: [Deno.KvKey, bigint][] = [];
  for (const row of rows) {
    for (const metric of ROLLUP_METRICS) {
      if (amounts[metric] > 0n) out.push([[...row, metric], amounts[metric]]);
    }
  }
  return out;
}

/**
 * Moves one entry from the write-ahead log into the ledger: in ONE atomic
 * operation it stores the entry under `["ledger", "entry", day, id]`, adds
 * its rollup sums, and deletes the log record — guarded by the log record's
 * versionstamp and the entry key being empty. A crash before the commit
 * leaves the log record for the next attempt; after it, nothing is left to
 * redo; a retried write of an entry already rolled up sums nothing. So no
 * crash or retry loses or double-counts an entry.
 *
 * @param kv The KV store.
 * @param requestId The entry's request id.
 * @param day The entry's day, when known: saves a KV round trip.
 * @returns What happened.
 */
export async function rollUpEntry(
  kv: LedgerKv,
  requestId: string,
  day?: string,
): Promise<RollUpResult> {
  const walKey = [...WAL_PREFIX, requestId];
  for (let attempt = 0; attempt < 10; attempt++) {
    // When the day is known (the writer's own batch), one read fetches both keys.
    const [wal, guess] = day === undefined
      ? [await kv.get<LedgerEntry>(walKey), undefined]
      : await kv.getMany<[LedgerEntry, LedgerEntry]>([walKey, [...ENTRY_PREFIX, day, requestId]]);
    if (wal.value === null) return "gone";
    const entryKey = [...ENTRY_PREFIX, wal.value.day, requestId];
    const existing = guess !== undefined && wal.value.day === day
      ? guess
      : await kv.get<LedgerEntry>(entryKey);
    const op = kv.atomic().check(wal).check(existing).delete(walKey);
    if (existing.value === null) {
      op.set(entryKey, wal.value);
      for (const [key, n] of rollupSums(wal.value)) op.sum(key, n);
    }
    const result = await op.commit();
    if (result.ok) return existing.value === null ? "rolled_up" : "duplicate";
  }
  throw new Error(`Cannot roll up ledger entry "${requestId}": it kept changing under the writer`);
}
