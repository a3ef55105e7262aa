import type { EntryCursor } from "./entry_cursor.ts";
import { healSpans, healUserIndex } from "./heal_user_index.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import {
  ENTRY_PREFIX,
  type LedgerKv,
  rollupTenant,
  TENANT_INDEX_PREFIX,
  USER_INDEX_PREFIX,
} from "./roll_up_entry.ts";

/** What {@linkcode entriesOf} reads: a day range, and whose entries. */
export interface EntriesOfRange {
  /** First day, `YYYY-MM-DD` (inclusive). */
  from: string;
  /** Last day, `YYYY-MM-DD` (inclusive). */
  to: string;
  /** Only this user's entries: the per-user index. */
  user?: string;
  /** Only this tenant's entries: the per-tenant index (before `user`). */
  tenant?: string;
}

/**
 * The KV selector of the keys under `prefix` whose next part is a day from
 * `from` to `to`, each followed by a request id (`[...prefix, day,
 * requestId]`), starting right after `after` when it is in the range. The
 * end is `to` with a NUL after it: after every key of that day, before any
 * later one; unlike the day after, it exists for 9999-12-31 too. Pure.
 *
 * @param prefix The key prefix (entries, or an index and its name).
 * @param from First day, `YYYY-MM-DD`.
 * @param to Last day, `YYYY-MM-DD`.
 * @param after Start right after this key (a previous page's last).
 * @returns The selector.
 *
 * @example
 * ```ts
 * import { dayRangeSelector } from "./entries_of.ts";
 * const { end } = dayRangeSelector(["ledger", "entry"], "9999-12-31", "9999-12-31");
 * console.assert(end.join() === "ledger,entry,9999-12-31\u0000");
 * ```
 */
export function dayRangeSelector(
  prefix: Deno.KvKey,
  from: string,
  to: string,
  after?: EntryCursor,
): { start: Deno.KvKey; end: Deno.KvKey } {
  const start = after !== undefined && after.day >= from
    ? [...prefix, after.day, after.requestId, new Uint8Array()]
    : [...prefix, from];
  return { start, end: [...prefix, `${to}\u0000`] };
}

/**
 * The ledger entries of a day range, by day then request id, from right
 * after `after`, read from where they are kept for whose they are: a
 * tenant's from the per-tenant index (`TENANT_INDEX_PREFIX`), else a user's
 * from the per-user index (`USER_INDEX_PREFIX`), so neither reads any other
 * tenant's or user's entries; else every entry. A user's index is
 * completed for the days read, a span at a time ({@linkcode healUserIndex}:
 * entries rolled up by a ccgate from before the index, upgraded from or
 * rolled back to); entries missing from the tenant index (rolled up before
 * it existed) are not read.
 *
 * @param kv The KV store.
 * @param range Days, and the tenant or user.
 * @param after Start right after this entry.
 * @returns The entries.
 *
 * @example
 * ```ts
 * import { entriesOf } from "./entries_of.ts";
 * const kv = await Deno.openKv(":memory:");
 * await kv.set(["ledger", "by_tenant", "t1", "2026-12-01", "req_1"], "2026-12-01T10:00:00.000Z");
 * await kv.set(["ledger", "entry", "2026-12-01", "req_1"], { requestId: "req_1" });
 * const read = [];
 * for await (const e of entriesOf(kv, { from: "2026-12-01", to: "2026-12-01", tenant: "T1" })) read.push(e);
 * console.assert(read.length === 1);
 * kv.close();
 * ```
 */
export function entriesOf(
  kv: LedgerKv,
  range: EntriesOfRange,
  after?: EntryCursor,
): AsyncGenerator<LedgerEntry> {
  if (range.tenant !== undefined) {
    const prefix = [...TENANT_INDEX_PREFIX, rollupTenant(range.tenant)];
    return _indexedEntries(kv, prefix, dayRangeSelector(prefix, range.from, range.to, after));
  }
  if (range.user !== undefined) return _userEntries(kv, range.user, range, after);
  return _entries(kv, dayRangeSelector(ENTRY_PREFIX, range.from, range.to, after));
}

// A user's entries from their index, each span of days healed just before it is read.
async function* _userEntries(
  kv: LedgerKv,
  user: string,
  range: { from: string; to: string },
  after?: EntryCursor,
): AsyncGenerator<LedgerEntry> {
  const prefix = [...USER_INDEX_PREFIX, user];
  const from = after !== undefined && after.day > range.from ? after.day : range.from;
  for (const span of healSpans(from, range.to)) {
    await healUserIndex(kv, user, span.from, span.to);
    yield* _indexedEntries(kv, prefix, dayRangeSelector(prefix, span.from, span.to, after));
  }
}

async function* _entries(
  kv: LedgerKv,
  selector: { start: Deno.KvKey; end: Deno.KvKey },
): AsyncGenerator<LedgerEntry> {
  for await (const item of kv.list<LedgerEntry>(selector, { batchSize: 500 })) yield item.value;
}

// Index keys `[...prefix, day, requestId]` → the entries, fetched 10 per getMany (KV's most),
// up to 10 getMany calls at once.
async function* _indexedEntries(
  kv: LedgerKv,
  prefix: Deno.KvKey,
  selector: { start: Deno.KvKey; end: Deno.KvKey },
): AsyncGenerator<LedgerEntry> {
  let keys: Deno.KvKey[] = [];
  const fetch = async function* (batch: Deno.KvKey[]) {
    const groups = [];
    for (let i = 0; i < batch.length; i += 10) groups.push(batch.slice(i, i + 10));
    const got = await Promise.all(groups.map((g) => kv.getMany<LedgerEntry[]>(g)));
    for (const item of got.flat()) if (item.value !== null) yield item.value;
  };
  for await (const item of kv.list(selector, { batchSize: 100 })) {
    const day = item.key[prefix.length] as string;
    const requestId = item.key[prefix.length + 1] as string;
    keys.push([...ENTRY_PREFIX, day, requestId]);
    if (keys.length === 100) {
      yield* fetch(keys);
      keys = [];
    }
  }
  yield* fetch(keys);
}
