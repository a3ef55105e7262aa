import { dayOf, type LedgerEntry } from "./ledger_entry.ts";
import {
  ENTRY_PREFIX,
  type LedgerKv,
  ROLLUP_METRICS,
  type RollupMetric,
  USAGE_PREFIX,
} from "./roll_up_entry.ts";

/** A filter of usage queries: a day range and optional user, group, model. */
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
  /** Cost of priced requests, US dollars. */
  costUsd: number;
  /** Requests of unpriced models. */
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

/** Longest day range a query may span. */
export const MAX_QUERY_DAYS = 366;

/**
 * Every day from `from` to `to`, inclusive.
 *
 * @param from First day, `YYYY-MM-DD`.
 * @param to Last day, `YYYY-MM-DD`.
 * @returns The days, or `undefined` when the range is invalid or longer than {@linkcode MAX_QUERY_DAYS}.
 *
 * @example
 * ```ts
 * import { daysIn } from "./usage_query.ts";
 * console.assert(daysIn("2026-11-29", "2026-12-01")?.length === 3);
 * ```
 */
export function daysIn(from: string, to: string): string[] | undefined {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) return undefined;
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return undefined;
  const n = (end - start) / 86_400_000 + 1;
  if (n > MAX_QUERY_DAYS) return undefined;
  return Array.from({ length: n }, (_, i) => dayOf(new Date(start + i * 86_400_000)));
}

/**
 * Reads daily rollup rows: per user × model (or per group × model when the
 * filter names a group; `user` is then ignored), one row per day.
 *
 * @param kv The KV store.
 * @param filter Day range, user, group, model (the range must be valid: see {@linkcode daysIn}).
 * @returns Rows, by day then name then model.
 */
export async function queryUsage(kv: LedgerKv, filter: UsageFilter): Promise<UsageRow[]> {
  const days = daysIn(filter.from, filter.to) ?? [];
  const dimension = filter.group !== undefined ? "group" : "user";
  const rows = new Map<string, UsageRow>();
  for (const day of days) {
    const prefix = [...USAGE_PREFIX, day, dimension];
    const name = dimension === "group" ? filter.group : filter.user;
    for await (
      const item of kv.list<Deno.KvU64>({ prefix: name === undefined ? prefix : [...prefix, name] })
    ) {
      const [, , , rowName, model, metric] = item.key as string[];
      if (rowName === undefined || model === undefined || metric === undefined) continue;
      if (filter.model !== undefined && model !== filter.model) continue;
      const id = `${day}\u0000${rowName}\u0000${model}`;
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
      const field = FIELD[metric as RollupMetric];
      if (field === undefined || !(ROLLUP_METRICS as readonly string[]).includes(metric)) continue;
      const n = Number(item.value.value);
      (row as unknown as Record<string, number>)[field] = field === "costUsd" ? n / 1e9 : n;
    }
  }
  return [...rows.values()];
}

/**
 * Reads ledger entries of a day range, filtered.
 *
 * @param kv The KV store.
 * @param filter Day range, user, group, model.
 * @param limit Most entries returned. @default {50000}
 * @returns The entries (by day, then request id) and whether the limit cut the list.
 */
export async function listEntries(
  kv: LedgerKv,
  filter: UsageFilter,
  limit = 50_000,
): Promise<{ entries: LedgerEntry[]; truncated: boolean }> {
  const entries: LedgerEntry[] = [];
  for (const day of daysIn(filter.from, filter.to) ?? []) {
    for await (const item of kv.list<LedgerEntry>({ prefix: [...ENTRY_PREFIX, day] })) {
      const e = item.value;
      if (filter.user !== undefined && e.user !== filter.user) continue;
      if (filter.group !== undefined && !e.groups.includes(filter.group)) continue;
      if (filter.model !== undefined && (e.bedrockModel ?? e.model) !== filter.model) continue;
      if (entries.length >= limit) return { entries, truncated: true };
      entries.push(e);
    }
  }
  return { entries, truncated: false };
}

/**
 * The roles and groups a user's most recent request carried (within
 * `days` days up to `today`): what the admin API's effective policy uses when
 * the admin does not say.
 *
 * @param kv The KV store.
 * @param user The user.
 * @param today The last day to look at, `YYYY-MM-DD`.
 * @param days How many days back to look. @default {31}
 * @returns The roles, groups and time of that request, or `undefined`.
 */
export async function latestIdentity(
  kv: LedgerKv,
  user: string,
  today: string,
  days = 31,
): Promise<{ roles: string[]; groups: string[]; at: string } | undefined> {
  const end = Date.parse(`${today}T00:00:00Z`);
  for (let i = 0; i < days; i++) {
    const day = dayOf(new Date(end - i * 86_400_000));
    let latest: LedgerEntry | undefined;
    for await (const item of kv.list<LedgerEntry>({ prefix: [...ENTRY_PREFIX, day] })) {
      const e = item.value;
      if (e.user === user && (latest === undefined || e.at > latest.at)) latest = e;
    }
    if (latest !== undefined) {
      return { roles: latest.roles ?? [], groups: latest.groups, at: latest.at };
    }
  }
  return undefined;
}
