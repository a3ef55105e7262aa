import { daysIn } from "./days_in.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import {
  ENTRY_PREFIX,
  type LedgerKv,
  USAGE_PREFIX,
  USER_INDEX_PREFIX,
  userIndexKey,
} from "./roll_up_entry.ts";

/** Days checked at once (two small KV lists each), and the length of a {@linkcode healSpans} span. */
export const HEAL_SPAN_DAYS = 8;
/** Index keys written per atomic operation (each with a check of its entry). */
const HEAL_BATCH = 100;

/**
 * Completes a user's per-user index (`USER_INDEX_PREFIX`) for the days from
 * `from` to `to`: on each day whose index holds fewer of the user's requests
 * than the day's roll-ups count (`["usage", day, "user", user, model,
 * "requests"]`, written in the same atomic operation as each entry), it reads
 * that day's entries and indexes the user's that are missing, each guarded
 * by its entry's versionstamp (an entry deleted meanwhile, by retention, is
 * not indexed again).
 *
 * An entry is missing from the index when it was rolled up by a ccgate from
 * before the index (upgraded from one, or rolled back to one: its entries of
 * those days, and of a rolling deploy's overlap, are not indexed), so the
 * index alone would hide it from a user's entries and from the policy
 * route's identity. A day whose counts agree costs two short lists; a day
 * short of entries is read whole once (as a release before the index read it
 * for every query of a user), after which its counts agree. A day
 * whose entries retention deleted before its roll-ups stays short, and costs
 * one empty list more.
 *
 * @param kv The KV store.
 * @param user The user.
 * @param from First day, `YYYY-MM-DD` (inclusive).
 * @param to Last day, `YYYY-MM-DD` (inclusive); a range of at most 366 days (`daysIn`).
 * @returns How many index keys it wrote.
 *
 * @example
 * ```ts
 * import { healUserIndex } from "./heal_user_index.ts";
 * const kv = await Deno.openKv(":memory:");
 * const entry = { requestId: "req_1", day: "2026-12-01", user: "u", at: "2026-12-01T10:00:00.000Z" };
 * await kv.set(["ledger", "entry", "2026-12-01", "req_1"], entry);
 * await kv.set(["usage", "2026-12-01", "user", "u", "m", "requests"], new Deno.KvU64(1n));
 * console.assert(await healUserIndex(kv, "u", "2026-12-01", "2026-12-01") === 1);
 * console.assert(await healUserIndex(kv, "u", "2026-12-01", "2026-12-01") === 0);
 * kv.close();
 * ```
 */
export async function healUserIndex(
  kv: LedgerKv,
  user: string,
  from: string,
  to: string,
): Promise<number> {
  const days = daysIn(from, to) ?? [];
  let written = 0;
  for (let i = 0; i < days.length; i += HEAL_SPAN_DAYS) {
    const counts = await Promise.all(
      days.slice(i, i + HEAL_SPAN_DAYS).map((day) => _healDay(kv, user, day)),
    );
    written += counts.reduce((a, b) => a + b, 0);
  }
  return written;
}

async function _healDay(kv: LedgerKv, user: string, day: string): Promise<number> {
  const [requests, indexed] = await Promise.all([
    _rolledUpRequests(kv, user, day),
    _indexedIds(kv, user, day),
  ]);
  if (indexed.size >= requests) return 0;
  let written = 0;
  let op = kv.atomic();
  let pending = 0;
  const commit = async () => {
    // An entry changed or deleted meanwhile (retention) fails the check: none of the batch is
    // written, and the next read heals what is still there.
    if (pending > 0 && (await op.commit()).ok) written += pending;
    op = kv.atomic();
    pending = 0;
  };
  for await (
    const item of kv.list<LedgerEntry>({ prefix: [...ENTRY_PREFIX, day] }, { batchSize: 500 })
  ) {
    const entry = item.value;
    if (entry?.user !== user || indexed.has(entry.requestId)) continue;
    op.check(item).set(userIndexKey(entry), entry.at);
    if (++pending === HEAL_BATCH) await commit();
  }
  await commit();
  return written;
}

/** The user's requests of a day, summed over models from the roll-ups. */
async function _rolledUpRequests(kv: LedgerKv, user: string, day: string): Promise<number> {
  let n = 0;
  for await (const item of kv.list<Deno.KvU64>({ prefix: [...USAGE_PREFIX, day, "user", user] })) {
    if (item.key.at(-1) === "requests" && item.value instanceof Deno.KvU64) {
      n += Number(item.value.value);
    }
  }
  return n;
}

/** The request ids in the user's index of a day. */
async function _indexedIds(kv: LedgerKv, user: string, day: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const prefix = [...USER_INDEX_PREFIX, user, day];
  for await (const item of kv.list({ prefix }, { batchSize: 500 })) {
    ids.add(item.key[prefix.length] as string);
  }
  return ids;
}

/**
 * A day range cut into spans of {@linkcode HEAL_SPAN_DAYS} days, in order: a
 * reader heals and reads one span at a time, so it checks only the days it
 * reads (a page that ends early leaves the rest). Pure.
 *
 * @param from First day, `YYYY-MM-DD`.
 * @param to Last day, `YYYY-MM-DD`.
 * @returns The spans, first day and last day each; none for an invalid range.
 *
 * @example
 * ```ts
 * import { healSpans } from "./heal_user_index.ts";
 * const spans = healSpans("2026-12-01", "2026-12-10");
 * console.assert(spans.length === 2 && spans[1]!.from === "2026-12-09" && spans[1]!.to === "2026-12-10");
 * ```
 */
export function healSpans(from: string, to: string): { from: string; to: string }[] {
  const days = daysIn(from, to) ?? [];
  const spans = [];
  for (let i = 0; i < days.length; i += HEAL_SPAN_DAYS) {
    const span = days.slice(i, i + HEAL_SPAN_DAYS);
    spans.push({ from: span[0]!, to: span.at(-1)! });
  }
  return spans;
}
