import { dayRangeSelector } from "./entries_of.ts";
import { healSpans, healUserIndex } from "./heal_user_index.ts";
import { dayOf, type LedgerEntry } from "./ledger_entry.ts";
import { ENTRY_PREFIX, type LedgerKv, USER_INDEX_PREFIX } from "./roll_up_entry.ts";

/**
 * The roles, groups and tenant a user's most recent request carried (within
 * `days` days up to `today`): what the admin API's effective policy uses when
 * the admin does not say, and the tenant it checks. Reads the user's index
 * (newest day first, a span of days at a time, each completed first by
 * {@linkcode healUserIndex}: requests rolled up by a ccgate from before the
 * index count too), then one entry.
 *
 * @param kv The KV store.
 * @param user The user.
 * @param today The last day to look at, `YYYY-MM-DD`.
 * @param days How many days back to look. @default {31}
 * @returns The roles, groups, tenant (absent when the entry has none) and time of that
 *   request, or `undefined`.
 */
export async function latestIdentity(
  kv: LedgerKv,
  user: string,
  today: string,
  days = 31,
): Promise<{ roles: string[]; groups: string[]; tid?: string; at: string } | undefined> {
  const end = Date.parse(`${today}T00:00:00Z`);
  const first = dayOf(new Date(end - (days - 1) * 86_400_000));
  const prefix = [...USER_INDEX_PREFIX, user];
  let latest: { day: string; requestId: string; at: string } | undefined;
  // Newest span of days first, each healed before it is read; the first day with a request ends it.
  for (const span of healSpans(first, today).reverse()) {
    await healUserIndex(kv, user, span.from, span.to);
    const selector = dayRangeSelector(prefix, span.from, span.to);
    for await (const item of kv.list<string>(selector, { reverse: true, batchSize: 100 })) {
      const [, , , day, requestId] = item.key as string[];
      if (latest !== undefined && day !== latest.day) break;
      if (latest === undefined || item.value > latest.at) {
        latest = { day: day!, requestId: requestId!, at: item.value };
      }
    }
    if (latest !== undefined) break;
  }
  if (latest === undefined) return undefined;
  const entry = (await kv.get<LedgerEntry>([...ENTRY_PREFIX, latest.day, latest.requestId])).value;
  if (entry === null) return undefined;
  const identity = { roles: entry.roles ?? [], groups: entry.groups, at: entry.at };
  return entry.tid === undefined ? identity : { ...identity, tid: entry.tid };
}
