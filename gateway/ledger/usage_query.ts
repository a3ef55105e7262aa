import { InvalidRequestError } from "../errors.ts";
import { daysIn } from "./days_in.ts";
import { entriesOf } from "./entries_of.ts";
import type { EntryCursor } from "./entry_cursor.ts";
import { knownCost } from "./known_cost.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import {
  type LedgerKv,
  ROLLUP_METRICS,
  type RollupMetric,
  rollupTenant,
  USAGE_PREFIX,
} from "./roll_up_entry.ts";

export { daysIn, MAX_QUERY_DAYS } from "./days_in.ts";

/** A filter of usage queries: a day range and optional user, group, model, tenant. */
export interface UsageFilter {
  /** First day, `YYYY-MM-DD` (inclusive). */
  from: string;
  /** Last day, `YYYY-MM-DD` (inclusive). */
  to: string;
  /** Only this user. */
  user?: string;
  /** Only this group. */
  group?: string;
  /** Only this model (Bedrock id, or the requested name when unresolved). */
  model?: string;
  /**
   * Other ids of the same model: a row or entry matches `model` or any of
   * these (the admin API adds the Bedrock id a catalogue name resolves to).
   */
  modelIds?: readonly string[];
  /**
   * Only this Entra tenant's usage (a `tid`, compared without case): rows
   * from the tenant's own roll-ups, entries whose `tid` it is. Entries
   * without a tenant (rolled up before ccgate recorded it) are in no tenant.
   * Not with `group`: group rows cover every tenant.
   */
  tenant?: string;
}

/**
 * Whether a model (a row's, or an entry's `bedrockModel ?? model`) passes
 * a filter's `model` / `modelIds`. Pure.
 *
 * @param filter The filter.
 * @returns The test.
 *
 * @example
 * ```ts
 * import { modelMatcher } from "./usage_query.ts";
 * const match = modelMatcher({ from: "2026-11-30", to: "2026-11-30", model: "a", modelIds: ["b"] });
 * console.assert(match("b") && !match("c"));
 * ```
 */
export function modelMatcher(filter: UsageFilter): (model: string | null) => boolean {
  if (filter.model === undefined) return () => true;
  const ids = new Set([filter.model, ...(filter.modelIds ?? [])]);
  return (model) => model !== null && ids.has(model);
}

/** One daily rollup row. */
export interface UsageRow {
  /** Day, `YYYY-MM-DD`. */
  day: string;
  /** `user` or `group`. */
  dimension: "user" | "group";
  /** The user id or group name. */
  name: string;
  /** Model. */
  model: string;
  /** Requests. */
  requests: number;
  /** Requests that did not complete. */
  errors: number;
  /** Uncached input tokens. */
  inputTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /** Cache-read input tokens. */
  cacheReadTokens: number;
  /** Cache-write input tokens. */
  cacheWriteTokens: number;
  /**
   * Cost of the row's priced requests, US dollars; `null` when every request
   * of the row is unpriced (its model has no price in the policy, or there is
   * no policy), since that cost is unknown, not zero. With some requests
   * unpriced, the priced ones' cost: `unpriced` says how many are left out.
   */
  costUsd: number | null;
  /** Requests of unpriced models (counted in `requests`, not in `costUsd`). */
  unpriced: number;
}

const FIELD: Record<RollupMetric, keyof UsageRow> = {
  requests: "requests",
  errors: "errors",
  input_tokens: "inputTokens",
  output_tokens: "outputTokens",
  cache_read_tokens: "cacheReadTokens",
  cache_write_tokens: "cacheWriteTokens",
  cost_nano_usd: "costUsd",
  unpriced: "unpriced",
};

/**
 * Reads daily rollup rows: per user × model, or per group × model when the
 * filter names a group; one row per day. With a tenant, the user rows of
 * that tenant's roll-ups ({@linkcode tenantRowsPrefix}). Holds every row of
 * the range in memory: the admin API reads {@linkcode queryUsagePage}s.
 *
 * @param kv The KV store.
 * @param filter Day range, user or group, model, tenant (the range must be valid: see {@linkcode daysIn}).
 * @returns Rows, by day then name then model.
 * @throws {InvalidRequestError} When the filter names both a user and a group (the
 *   rollups are per user or per group, never both), or a tenant and a group.
 */
export async function queryUsage(kv: LedgerKv, filter: UsageFilter): Promise<UsageRow[]> {
  checkUserOrGroup(filter);
  const rows: UsageRow[] = [];
  for (const day of daysIn(filter.from, filter.to) ?? []) {
    rows.push(...await usageRowsOfDay(kv, filter, day));
  }
  return rows;
}

/** Rows a page of {@linkcode queryUsagePage} reaches unless told otherwise. */
export const DEFAULT_USAGE_PAGE = 10_000;
/** Most rows a page of {@linkcode queryUsagePage} may be asked to reach. */
export const MAX_USAGE_PAGE = 100_000;

/** One page of daily rollup rows: whole days. */
export interface UsagePage {
  /** The rows, by day then name then model. */
  rows: UsageRow[];
  /** The first day of the next page (`YYYY-MM-DD`); absent once the range is exhausted. */
  next?: string;
}

/**
 * Reads a page of {@linkcode queryUsage}'s rows: whole days, from `after`
 * (or the range's first day), until a day brings the page to `limit` rows
 * or the range ends. A page thus holds at most `limit` rows plus one day's
 * (one day of every user of a fleet is some users × models rows), so a
 * year of a fleet is never read into memory at once.
 *
 * @param kv The KV store.
 * @param filter Day range (valid, see {@linkcode daysIn}), user or group, model, tenant.
 * @param options `limit` (default {@linkcode DEFAULT_USAGE_PAGE}, at most
 *   {@linkcode MAX_USAGE_PAGE}); `after`: the previous page's `next`, a day of the range.
 * @returns The page, with `next` while days remain.
 * @throws {RangeError} When `limit` is out of range or `after` is not a day of the range.
 * @throws {InvalidRequestError} As {@linkcode queryUsage}.
 *
 * @example
 * ```ts
 * import { queryUsagePage } from "./usage_query.ts";
 * const kv = await Deno.openKv(":memory:");
 * const page = await queryUsagePage(kv, { from: "2026-11-01", to: "2026-11-30" }, { limit: 1 });
 * console.assert(page.rows.length === 0 && page.next === undefined);
 * kv.close();
 * ```
 */
export async function queryUsagePage(
  kv: LedgerKv,
  filter: UsageFilter,
  options: { limit?: number; after?: string } = {},
): Promise<UsagePage> {
  checkUserOrGroup(filter);
  const limit = options.limit ?? DEFAULT_USAGE_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_USAGE_PAGE) {
    throw new RangeError(`Cannot read usage: limit must be an integer from 1 to ${MAX_USAGE_PAGE}`);
  }
  const days = daysIn(filter.from, filter.to) ?? [];
  const first = options.after === undefined ? 0 : days.indexOf(options.after);
  if (first < 0) throw new RangeError("Cannot read usage: after is not a day of the range");
  const rows: UsageRow[] = [];
  for (let i = first; i < days.length; i++) {
    rows.push(...await usageRowsOfDay(kv, filter, days[i]!));
    if (rows.length >= limit && i + 1 < days.length) return { rows, next: days[i + 1]! };
  }
  return { rows };
}

/**
 * The rollup rows of one day of a filter (see {@linkcode queryUsage}).
 *
 * @param kv The KV store.
 * @param filter User or group, model, tenant (its days are not looked at).
 * @param day The day, `YYYY-MM-DD`.
 * @returns The day's rows, by name then model.
 */
export function usageRowsOfDay(
  kv: LedgerKv,
  filter: UsageFilter,
  day: string,
): Promise<UsageRow[]> {
  const dimension = filter.group !== undefined ? "group" : "user";
  const name = dimension === "group" ? filter.group : filter.user;
  const at = filter.tenant === undefined
    ? [...USAGE_PREFIX, day, dimension]
    : tenantRowsPrefix(day, filter.tenant);
  const prefix = [...at, ...(name === undefined ? [] : [name])];
  return readUsageRows(kv, prefix, at.length, dimension, filter);
}

/**
 * The KV prefix of one tenant's user × model rows of one day:
 * `["usage", day, "tenant", tenant]` (see `USAGE_PREFIX`); the user follows.
 *
 * @param day The day, `YYYY-MM-DD`.
 * @param tenant The tenant id (any case).
 * @returns The prefix.
 *
 * @example
 * ```ts
 * import { tenantRowsPrefix } from "./usage_query.ts";
 * console.assert(tenantRowsPrefix("2026-11-30", "T1").join() === "usage,2026-11-30,tenant,t1");
 * ```
 */
export function tenantRowsPrefix(day: string, tenant: string): Deno.KvKey {
  return [...USAGE_PREFIX, day, "tenant", rollupTenant(tenant)];
}

/**
 * Refuses a filter with both a user and a group: the daily rollups (usage
 * rows, the summary) are kept per user or per group, so that pair cannot be
 * answered from them. Nor a tenant and a group: group rows cover every
 * tenant (a tenant's roll-ups are per user).
 *
 * @param filter The filter.
 * @throws {InvalidRequestError} When both are given.
 */
export function checkUserOrGroup(filter: UsageFilter): void {
  if (filter.user !== undefined && filter.group !== undefined) {
    throw new InvalidRequestError(
      "user, group: give one or the other (daily usage is kept per user and per group)",
    );
  }
  if (filter.tenant !== undefined && filter.group !== undefined) {
    throw new InvalidRequestError(
      "group: daily usage per group covers every tenant, and yours is kept per user only: filter by user, or list the group's requests (/admin/api/entries?group=)",
    );
  }
}

/**
 * The rollup rows under one KV prefix of one day: keys
 * `["usage", day, dimension, ..., name, model, metric]` with the name at
 * `nameAt`, summed per name × model, models filtered.
 *
 * @param kv The KV store.
 * @param prefix The prefix to list (starting `["usage", day]`).
 * @param nameAt Index of the row's name in the key.
 * @param dimension What the rows' names are.
 * @param filter Its model filter applies.
 * @returns The rows, by name then model.
 */
export async function readUsageRows(
  kv: LedgerKv,
  prefix: Deno.KvKey,
  nameAt: number,
  dimension: UsageRow["dimension"],
  filter: UsageFilter,
): Promise<UsageRow[]> {
  const day = prefix[1] as string;
  const matches = modelMatcher(filter);
  const rows = new Map<string, UsageRow>();
  for await (const item of kv.list<Deno.KvU64>({ prefix }, { batchSize: 1000 })) {
    const rowName = item.key[nameAt];
    const model = item.key[nameAt + 1];
    const metric = item.key[nameAt + 2] as RollupMetric;
    if (typeof rowName !== "string" || typeof model !== "string") continue;
    if (!matches(model) || !(ROLLUP_METRICS as readonly string[]).includes(metric)) continue;
    const id = `${rowName}\u0000${model}`;
    let row = rows.get(id);
    if (row === undefined) {
      row = {
        day,
        dimension,
        name: rowName,
        model,
        requests: 0,
        errors: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0,
        unpriced: 0,
      };
      rows.set(id, row);
    }
    const field = FIELD[metric];
    const n = Number(item.value.value);
    (row as unknown as Record<string, number>)[field] = field === "costUsd" ? n / 1e9 : n;
  }
  for (const row of rows.values()) row.costUsd = knownCost(row.costUsd ?? 0, row);
  return [...rows.values()];
}

/** One page of ledger entries. */
export interface EntryPage {
  /** The entries, by day then request id. */
  entries: LedgerEntry[];
  /** Where the next page starts; absent once the range is exhausted. */
  next?: EntryCursor;
  /** Whether more entries may follow (`next` is set). */
  truncated: boolean;
}

/** Entries a page holds unless told otherwise. */
export const DEFAULT_ENTRY_PAGE = 1_000;
/** Most entries a page holds. */
export const MAX_ENTRY_PAGE = 10_000;
/**
 * Most entries one page reads when a group or model filter skips some: a
 * page of a rare group ends there (with `next`) rather than reading the
 * whole range.
 */
export const MAX_ENTRY_SCAN = 20_000;

/**
 * Reads one page of ledger entries of a day range, filtered (see
 * `entriesOf`). A tenant filter reads that tenant's index
 * (`TENANT_INDEX_PREFIX`), never another tenant's entries, so its `next`
 * names one of the tenant's own entries; a user filter alone reads that
 * user's index (`USER_INDEX_PREFIX`), never other users' entries; group,
 * model and user filters within a tenant skip entries as they read, at most
 * {@linkcode MAX_ENTRY_SCAN} per page, and `next` is then the last entry
 * read. A user's index is completed first for the days read (`healUserIndex`:
 * entries rolled up by a ccgate from before it); entries rolled up before the
 * tenant index existed are not found by a tenant filter (nor entries without
 * a tenant).
 *
 * @param kv The KV store.
 * @param filter Day range, user, group, model, tenant.
 * @param options `limit`: most entries (default {@linkcode DEFAULT_ENTRY_PAGE}, at most
 *   {@linkcode MAX_ENTRY_PAGE}); `after`: the previous page's `next`; `maxScan`: most entries
 *   read (default {@linkcode MAX_ENTRY_SCAN}).
 * @returns The page: entries by day, then request id; `next` while more may follow.
 * @throws {RangeError} When `limit` is out of range.
 */
export async function listEntries(
  kv: LedgerKv,
  filter: UsageFilter,
  options: { limit?: number; after?: EntryCursor; maxScan?: number } = {},
): Promise<EntryPage> {
  const limit = options.limit ?? DEFAULT_ENTRY_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ENTRY_PAGE) {
    throw new RangeError(
      `Cannot list entries: limit must be an integer from 1 to ${MAX_ENTRY_PAGE}`,
    );
  }
  const entries: LedgerEntry[] = [];
  if (daysIn(filter.from, filter.to) === undefined) return { entries, truncated: false };
  const after = options.after;
  if (after !== undefined && after.day > filter.to) return { entries, truncated: false };
  const model = modelMatcher(filter);
  const tenant = filter.tenant === undefined ? undefined : rollupTenant(filter.tenant);
  const matches = (e: LedgerEntry) =>
    (filter.user === undefined || e.user === filter.user) &&
    (filter.group === undefined || e.groups.includes(filter.group)) &&
    (tenant === undefined || (e.tid !== undefined && rollupTenant(e.tid) === tenant)) &&
    model(e.bedrockModel ?? e.model);
  let scanned = 0;
  let last: EntryCursor | undefined;
  for await (const entry of entriesOf(kv, filter, after)) {
    const cursor = { day: entry.day, requestId: entry.requestId };
    if (matches(entry)) {
      if (entries.length === limit) return { entries, next: last, truncated: true };
      entries.push(entry);
    }
    last = cursor;
    if (++scanned >= (options.maxScan ?? MAX_ENTRY_SCAN) && entries.length < limit) {
      return { entries, next: last, truncated: true };
    }
  }
  return { entries, truncated: false };
}
