import { utf8Length } from "../utf8_length.ts";
import { latencyBucket } from "./latency_histogram.ts";
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
/**
 * Key prefix of the per-user index of entries: `["ledger", "by_user", user,
 * day, requestId]` → the entry's `at`, written in the same atomic operation
 * as the entry, so a user's entries are listed without reading anyone
 * else's. Entries rolled up by a ccgate from before the index (upgraded
 * from, or rolled back to) are indexed when a user's entries are first read
 * (`healUserIndex`).
 */
export const USER_INDEX_PREFIX: Deno.KvKey = ["ledger", "by_user"];

/** The per-user index key of an entry (see {@linkcode USER_INDEX_PREFIX}). */
export function userIndexKey(entry: Pick<LedgerEntry, "user" | "day" | "requestId">): Deno.KvKey {
  return [...USER_INDEX_PREFIX, entry.user, entry.day, entry.requestId];
}

/**
 * Key prefix of the per-tenant index of entries: `["ledger", "by_tenant",
 * tenant, day, requestId]` → the entry's `at`, the tenant as
 * {@linkcode rollupTenant} names it, written in the same atomic operation as
 * the entry for the entries of the tenants {@linkcode TenantRollUps} takes
 * (the gateway's: outside the admin tenants), so their admins list their
 * tenant's entries without reading any other tenant's. Entries rolled up
 * before the index existed, or while their tenant was an admin tenant, are
 * not in it.
 */
export const TENANT_INDEX_PREFIX: Deno.KvKey = ["ledger", "by_tenant"];

/**
 * The index keys written with an entry: its per-user index key
 * ({@linkcode userIndexKey}), and its per-tenant one
 * ({@linkcode TENANT_INDEX_PREFIX}) when it has a tenant `tenantRollUps`
 * takes. Pure.
 *
 * @param entry The ledger entry.
 * @param tenantRollUps Which tenants get their own rows and index. @default {EVERY_TENANT}
 * @returns The keys, each set to the entry's `at`.
 *
 * @example
 * ```ts
 * import { entryIndexKeys } from "./roll_up_entry.ts";
 * const entry = { user: "u", day: "2026-12-01", requestId: "req_1", tid: "T1" };
 * console.assert(entryIndexKeys(entry).at(-1)!.join() === "ledger,by_tenant,t1,2026-12-01,req_1");
 * console.assert(entryIndexKeys(entry, () => false).length === 1);
 * ```
 */
export function entryIndexKeys(
  entry: Pick<LedgerEntry, "user" | "day" | "requestId" | "tid">,
  tenantRollUps: TenantRollUps = EVERY_TENANT,
): Deno.KvKey[] {
  const keys = [userIndexKey(entry)];
  if (entry.tid !== undefined && tenantRollUps(entry.tid)) {
    keys.push([...TENANT_INDEX_PREFIX, rollupTenant(entry.tid), entry.day, entry.requestId]);
  }
  return keys;
}

/**
 * Key prefix of daily rollups (each a `Deno.KvU64` sum), per day:
 *
 * - `["usage", day, "user"|"group", name, model, metric]`: the usage rows;
 * - `["usage", day, "group_member", group, user]`: requests of the user
 *   carrying the group (who the group's members were that day);
 * - `["usage", day, "tenant", tenant, user, model, metric]`: the usage rows
 *   of one Entra tenant (the entry's `tid`, lower-cased: {@linkcode rollupTenant}),
 *   per user × model, for an entry of a tenant {@linkcode TenantRollUps}
 *   takes only (the gateway's: those outside the admin tenants): what an
 *   admin outside the admin tenants reads (their own tenant's, see
 *   `adminTenantScope`);
 * - `["usage", day, "stats", scope, name, model, kind, key]`: request
 *   statistics of scope `all` (name `""`), `user`, `group` or `tenant`
 *   (entries with a tenant only), where kind is `total_ms` (completed
 *   requests) or `first_byte_ms` with key a `latencyBucket`, or `error_type`
 *   with key the error type.
 *
 * `group_member`, `tenant` and `stats` exist only for entries rolled up since
 * they were added: older days lack them (no migration), so entries rolled up
 * before ccgate recorded the tenant count for no tenant. Latency histograms
 * are kept for all, per tenant and per user, not per group: each group would
 * add two sums per request that differ from request to request, and KV
 * allows 80 KiB of keys per atomic operation, so roll-ups would need many
 * more commits. An entry's tenant rows repeat its user rows under its
 * tenant: 4 to 8 sums and up to 2 statistics (the usual completed request:
 * `requests`, tokens, cost, 2 latency buckets), summed per key across a
 * roll-up batch like every roll-up key.
 */
export const USAGE_PREFIX: Deno.KvKey = ["usage"];

/** Characters of an error type kept in its roll-up key. */
export const MAX_ERROR_TYPE_KEY = 128;

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

/**
 * Which tenants' entries are rolled up for their tenant too (the `tenant`
 * rows and statistics of {@linkcode USAGE_PREFIX}, and the per-tenant index
 * {@linkcode TENANT_INDEX_PREFIX}): the gateway rolls up
 * those of tenants outside the admin tenants only, the ones whose admins
 * read them (an admin of an admin tenant reads every row).
 */
export type TenantRollUps = (tid: string) => boolean;

/** Every tenant's entries rolled up for their tenant: the default of {@linkcode rollupSums}. */
export const EVERY_TENANT: TenantRollUps = () => true;

/** What {@linkcode rollUpEntry} did. */
export type RollUpResult =
  /** Summed into the rollups and moved from the log to the entries, in one atomic operation. */
  | "rolled_up"
  /** Already rolled up before (a retried write): the log record was only removed. */
  | "duplicate"
  /** Nothing in the log under that id (another writer took it). */
  | "gone";

/**
 * The rollup increments of one entry: per day, per user × model, per
 * tenant × user × model (an entry with a tenant) and per group × model,
 * every non-zero metric; one request per group × user (`group_member`); for
 * the scopes all, the tenant and the user (× model), one count in the
 * `total_ms` (if completed) and `first_byte_ms` (if any) histogram buckets;
 * for all, the tenant, the user and each group (× model), one per error type
 * (if not completed). See {@linkcode USAGE_PREFIX}. The tenant's rows only
 * when `tenantRollUps` takes the entry's tenant.
 * Groups past {@linkcode MAX_ENTRY_SUM_KEY_BYTES} of keys are left out. Pure.
 *
 * @param entry The ledger entry.
 * @param tenantRollUps Which tenants get their own rows. @default {EVERY_TENANT}
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
export function rollupSums(
  entry: LedgerEntry,
  tenantRollUps: TenantRollUps = EVERY_TENANT,
): [Deno.KvKey, bigint][] {
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
  const model = rollupModel(entry);
  const day = entry.day;
  const sums = (into: [Deno.KvKey, bigint][], row: Deno.KvKey) => {
    for (const metric of ROLLUP_METRICS) {
      if (amounts[metric] > 0n) into.push([[...row, metric], amounts[metric]]);
    }
  };
  // Latency histograms for all and per user; error types also per group (failures are few).
  const stats = (into: [Deno.KvKey, bigint][], scope: string, name: string, latency: boolean) => {
    const at = [...USAGE_PREFIX, day, "stats", scope, name, model];
    if (entry.outcome !== "completed") {
      const type = (entry.errorType ?? entry.outcome).slice(0, MAX_ERROR_TYPE_KEY);
      into.push([[...at, "error_type", type], 1n]);
    } else if (latency) {
      into.push([[...at, "total_ms", latencyBucket(entry.totalMs)], 1n]);
    }
    if (latency && entry.firstByteMs !== null) {
      into.push([[...at, "first_byte_ms", latencyBucket(entry.firstByteMs)], 1n]);
    }
  };
  const out: [Deno.KvKey, bigint][] = [];
  sums(out, [...USAGE_PREFIX, day, "user", entry.user, model]);
  stats(out, "all", "", true);
  stats(out, "user", entry.user, true);
  if (entry.tid !== undefined && tenantRollUps(entry.tid)) {
    const tenant = rollupTenant(entry.tid);
    sums(out, [...USAGE_PREFIX, day, "tenant", tenant, entry.user, model]);
    stats(out, "tenant", tenant, true);
  }
  let bytes = out.reduce((n, [key]) => n + rollupKeyBytes(key), 0);
  // Each group's rows, while the keys fit in one KV operation (long names, a long model).
  for (const group of new Set(entry.groups.slice(0, MAX_ROLLUP_GROUPS))) {
    const part: [Deno.KvKey, bigint][] = [];
    sums(part, [...USAGE_PREFIX, day, "group", group, model]);
    part.push([[...USAGE_PREFIX, day, "group_member", group, entry.user], 1n]);
    stats(part, "group", group, false);
    const more = part.reduce((n, [key]) => n + rollupKeyBytes(key), 0);
    if (bytes + more > MAX_ENTRY_SUM_KEY_BYTES) break;
    out.push(...part);
    bytes += more;
  }
  return out;
}

/**
 * The tenant part of roll-up keys: a tenant id lower-cased (Entra tenant ids
 * are GUIDs or domain names, compared without case, as `adminTenantScope`
 * does). Pure.
 *
 * @param tid A tenant id (an entry's, or an admin token's `tid`).
 * @returns The tenant as roll-up keys name it.
 *
 * @example
 * ```ts
 * import { rollupTenant } from "./roll_up_entry.ts";
 * console.assert(rollupTenant("Contoso.onmicrosoft.com") === "contoso.onmicrosoft.com");
 * ```
 */
export function rollupTenant(tid: string): string {
  return tid.toLowerCase();
}

/** The model bucket of roll-ups of requests for models that do not exist (see {@linkcode rollupModel}). */
export const UNKNOWN_MODEL = "unknown";

/**
 * Error types of requests refused because their model does not exist: the
 * gateway mapped no model to the name (`model_not_found`, which also types
 * Bedrock's "The provided model identifier is invalid.", see
 * `errorTypeOf`), or Bedrock found no such resource.
 */
const MODEL_UNKNOWN_ERRORS: ReadonlySet<string> = new Set([
  "model_not_found",
  "ResourceNotFoundException",
]);

/**
 * The model an entry is rolled up under: the Bedrock id called, else the
 * name asked for; {@linkcode UNKNOWN_MODEL} for a request refused because its
 * model does not exist, so made-up names (any client can send them) stay in
 * their entries and never become roll-up keys: the roll-up keys of a day are
 * bounded by the models that exist. Pure.
 *
 * @param entry The ledger entry.
 * @returns The model part of its roll-up keys.
 *
 * @example
 * ```ts
 * import { rollupModel } from "./roll_up_entry.ts";
 * const refused = { bedrockModel: "us.anthropic.claude-sonnet-4-5-x1", model: "claude-sonnet-4-5-x1" };
 * console.assert(rollupModel({ ...refused, outcome: "upstream_error", errorType: "model_not_found" }) === "unknown");
 * ```
 */
export function rollupModel(
  entry: Pick<LedgerEntry, "bedrockModel" | "model" | "outcome" | "errorType">,
): string {
  if (entry.outcome !== "completed" && MODEL_UNKNOWN_ERRORS.has(entry.errorType ?? "")) {
    return UNKNOWN_MODEL;
  }
  return entry.bedrockModel ?? entry.model ?? UNKNOWN_MODEL;
}

/**
 * Most bytes of rollup keys one entry adds, well under KV's 80 KiB of keys
 * per atomic operation: an entry whose groups' rows would pass it (only
 * with long group names and a long model name) is summed for its first
 * groups only.
 */
export const MAX_ENTRY_SUM_KEY_BYTES = 48 * 1024;

/**
 * About the encoded size of a KV key: per part, a string's UTF-8 bytes and
 * two more (type and end), 9 for a number. Pure.
 *
 * @param key The key.
 * @returns Its size in bytes, about.
 *
 * @example
 * ```ts
 * import { rollupKeyBytes } from "./roll_up_entry.ts";
 * console.assert(rollupKeyBytes(["usage", 3]) === 7 + 9);
 * ```
 */
export function rollupKeyBytes(key: Deno.KvKey): number {
  let n = 0;
  for (const part of key) {
    if (typeof part === "string") n += utf8Length(part) + 2;
    else if (part instanceof Uint8Array) n += part.length + 2;
    else n += 9;
  }
  return n;
}

/**
 * Moves one entry from the write-ahead log into the ledger: in ONE atomic
 * operation it stores the entry under `["ledger", "entry", day, id]` and its
 * index keys ({@linkcode entryIndexKeys}), adds its rollup sums, and
 * deletes the log record — guarded by the log record's
 * versionstamp and the entry key being empty. A crash before the commit
 * leaves the log record for the next attempt; after it, nothing is left to
 * redo; a retried write of an entry already rolled up sums nothing. So no
 * crash or retry loses or double-counts an entry.
 *
 * @param kv The KV store.
 * @param requestId The entry's request id.
 * @param day The entry's day, when known: saves a KV round trip.
 * @param tenantRollUps Which tenants get their own rows and index (see {@linkcode rollupSums}).
 * @returns What happened.
 */
export async function rollUpEntry(
  kv: LedgerKv,
  requestId: string,
  day?: string,
  tenantRollUps: TenantRollUps = EVERY_TENANT,
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
      for (const key of entryIndexKeys(wal.value, tenantRollUps)) op.set(key, wal.value.at);
      for (const [key, n] of rollupSums(wal.value, tenantRollUps)) op.sum(key, n);
    }
    const result = await op.commit();
    if (result.ok) return existing.value === null ? "rolled_up" : "duplicate";
  }
  throw new Error(`Cannot roll up ledger entry "${requestId}": it kept changing under the writer`);
}
