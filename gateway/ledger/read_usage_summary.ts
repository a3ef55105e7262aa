import { type LedgerKv, rollupTenant, USAGE_PREFIX } from "./roll_up_entry.ts";
import {
  checkUserOrGroup,
  daysIn,
  modelMatcher,
  readUsageRows,
  tenantRowsPrefix,
  type UsageFilter,
  type UsageRow,
} from "./usage_query.ts";
import { type UsageSummary, UsageSums } from "./usage_summary.ts";

/**
 * The dashboard's summary of a day range, read from the daily rollups only
 * (never the entries), so it is exact for any range and reads
 * O(days × users × models) usage keys plus the latency histograms:
 *
 * - no user or group: every user × model row; stats of scope `all`;
 * - a user: that user's rows and stats;
 * - a group: the group's rows; its top users are its members of each day
 *   (`group_member`) ranked by their user rows of that day (their whole usage
 *   that day: exact when, as usual, all their requests carried the group),
 *   read member by member for a group of at most {@linkcode MAX_MEMBER_READS}
 *   members that day, so a team's summary does not read a whole fleet's rows;
 *   its error types; no latency percentiles (kept for all and per user only);
 * - a model filter (`model`, `modelIds`) applies to all of them;
 * - a tenant (`tenant`, with no group): the tenant's own rows (`["usage",
 *   day, "tenant", ...]`) instead of every user's, and stats of scope
 *   `tenant`; with a user, that user's rows in the tenant and their stats of
 *   the models those rows have that day (a user, an Entra object id, is in
 *   one tenant). Entries without a tenant (rolled up before ccgate recorded
 *   it) are in no tenant's summary.
 *
 * Percentiles are estimates from log-scale histograms (within about 9%,
 * see `latencyBucket`); the histograms, error types and a group's members
 * exist only for days rolled up since ccgate kept them (older days count in
 * the totals but not there). Group rollups cover an entry's first 20 groups.
 *
 * @param kv The KV store.
 * @param filter Day range (valid, see `daysIn`), user or group, model, tenant.
 * @param top How many users and models to list. @default {10}
 * @returns The summary.
 * @throws {InvalidRequestError} When the filter names both a user and a group, or a tenant and a group.
 */
export async function readUsageSummary(
  kv: LedgerKv,
  filter: UsageFilter,
  top = 10,
): Promise<UsageSummary> {
  checkUserOrGroup(filter);
  const days = daysIn(filter.from, filter.to) ?? [];
  // Each day's rows are folded into the sums as they are read, so a year of a fleet's rows is
  // never held.
  const sums = new UsageSums(days);
  const addRows = (list: readonly UsageRow[]) => {
    for (const row of list) sums.addRow(row);
  };
  const addUserRows = (list: readonly UsageRow[]) => {
    for (const row of list) sums.addUserRow(row);
  };
  const totalMs = new Map<number, number>();
  const firstByteMs = new Map<number, number>();
  const errorTypes = new Map<string, number>();
  const model = modelMatcher(filter);
  const [scope, name] = filter.group !== undefined
    ? ["group", filter.group]
    : filter.user !== undefined
    ? ["user", filter.user]
    : ["all", ""];
  const tenant = filter.tenant;
  const [statsScope, statsName] = tenant !== undefined && scope === "all"
    ? ["tenant", rollupTenant(tenant)]
    : [scope, name];
  const readDay = async (day: string) => {
    const at = [...USAGE_PREFIX, day];
    let inScope = model;
    if (tenant !== undefined) {
      const own = tenantRowsPrefix(day, tenant);
      const prefix = scope === "user" ? [...own, name] : own;
      const tenantRows = await readUsageRows(kv, prefix, own.length, "user", filter);
      addRows(tenantRows);
      addUserRows(tenantRows);
      // A user's stats cover all their requests: read those of the models they used in the tenant.
      const used = new Set(tenantRows.map((r) => r.model));
      if (scope === "user") inScope = (m) => m !== null && used.has(m);
    } else if (scope === "group") {
      addRows(await readUsageRows(kv, [...at, "group", name], 3, "group", filter));
      const members = new Set<string>();
      for await (
        const m of kv.list({ prefix: [...at, "group_member", name] }, { batchSize: 1000 })
      ) {
        members.add(m.key[4] as string);
      }
      if (members.size > MAX_MEMBER_READS) {
        const users = await readUsageRows(kv, [...at, "user"], 3, "user", filter);
        addUserRows(users.filter((r) => members.has(r.name)));
      } else {
        // A group of a few members: their own rows, not every user's of the day.
        const names = [...members];
        for (let i = 0; i < names.length; i += MEMBER_READS_IN_FLIGHT) {
          const read = await Promise.all(
            names.slice(i, i + MEMBER_READS_IN_FLIGHT).map((member) =>
              readUsageRows(kv, [...at, "user", member], 3, "user", filter)
            ),
          );
          addUserRows(read.flat());
        }
      }
    } else {
      const prefix = scope === "user" ? [...at, "user", name] : [...at, "user"];
      const own = await readUsageRows(kv, prefix, 3, "user", filter);
      addRows(own);
      addUserRows(own);
    }
    const stats = kv.list<Deno.KvU64>({ prefix: [...at, "stats", statsScope, statsName] }, {
      batchSize: 1000,
    });
    for await (const item of stats) {
      const [, , , , , rowModel, kind, key] = item.key;
      if (typeof rowModel !== "string" || !inScope(rowModel)) continue;
      const n = Number(item.value.value);
      if (kind === "total_ms" && typeof key === "number") _count(totalMs, key, n);
      else if (kind === "first_byte_ms" && typeof key === "number") _count(firstByteMs, key, n);
      else if (kind === "error_type" && typeof key === "string") _count(errorTypes, key, n);
    }
  };
  for (const day of days) await readDay(day);
  return sums.summary({ totalMs, firstByteMs, errorTypes }, top);
}

/**
 * Most members of a group whose user rows of a day the summary reads one
 * member at a time (one short `kv.list` each); a larger group's are picked
 * from every user's rows of the day (one long list).
 */
export const MAX_MEMBER_READS = 100;

/** Members' rows read at once. */
const MEMBER_READS_IN_FLIGHT = 10;

function _count<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
