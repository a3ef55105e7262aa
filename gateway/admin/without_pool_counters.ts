import type { EffectivePolicy } from "../policy/effective_policy.ts";

/**
 * An effective policy as an admin who sees their own tenant only may read
 * it: a group pool (`scope: "group:<name>"`) counts every tenant's members,
 * so its counters (`used`, `in_flight`, `spent`, `reserved`) are `null`; its
 * limit and rule stay (they apply to the user). The user's own limits
 * (`scope: "user:<sub>"`) keep their counters. Pure.
 */
export interface TenantEffectivePolicy {
  /** As in {@linkcode EffectivePolicy}. */
  models: EffectivePolicy["models"];
  /** As in {@linkcode EffectivePolicy}. */
  model_rules: EffectivePolicy["model_rules"];
  /** As in {@linkcode EffectivePolicy}. */
  max_tokens: EffectivePolicy["max_tokens"];
  /** Requests-per-minute limits; `used` is `null` for a group pool. */
  requests_per_minute: _Withheld<EffectivePolicy["requests_per_minute"][number], "used">[];
  /** Input-tokens-per-minute limits; `used` is `null` for a group pool. */
  tokens_per_minute: _Withheld<EffectivePolicy["tokens_per_minute"][number], "used">[];
  /** In-flight limits; `in_flight` is `null` for a group pool. */
  concurrent_streams: _Withheld<EffectivePolicy["concurrent_streams"][number], "in_flight">[];
  /** Budgets; `spent` and `reserved` are `null` for a group pool. */
  budgets: _Withheld<EffectivePolicy["budgets"][number], "spent" | "reserved">[];
}

type _Withheld<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] | null };

/** Scope prefix of a group pool's counters (see `effective_rules.ts`). */
const POOL = "group:";

/**
 * The policy with every group pool's counters withheld (`null`): what
 * `GET /admin/api/policy` answers an admin outside the admin tenants, since a
 * pool's spend, request rate and streams in flight sum every tenant's
 * members. Pure.
 *
 * @param policy The effective policy (`PolicyEngine.describe`).
 * @returns The same limits, with pool counters `null`.
 *
 * @example
 * ```ts
 * import { withoutPoolCounters } from "./without_pool_counters.ts";
 * const view = withoutPoolCounters({
 *   models: "all", model_rules: [], max_tokens: null, tokens_per_minute: [], concurrent_streams: [],
 *   requests_per_minute: [
 *     { scope: "user:u", limit: 10, rule: "defaults.requests_per_minute", used: 3 },
 *     { scope: "group:eng", limit: 600, rule: "groups.eng.pool.requests_per_minute", used: 412 },
 *   ],
 *   budgets: [],
 * });
 * console.assert(view.requests_per_minute[0]!.used === 3);
 * console.assert(view.requests_per_minute[1]!.used === null && view.requests_per_minute[1]!.limit === 600);
 * ```
 */
export function withoutPoolCounters(policy: EffectivePolicy): TenantEffectivePolicy {
  const pool = (scope: string) => scope.startsWith(POOL);
  return {
    ...policy,
    requests_per_minute: policy.requests_per_minute.map((r) =>
      pool(r.scope) ? { ...r, used: null } : r
    ),
    tokens_per_minute: policy.tokens_per_minute.map((t) =>
      pool(t.scope) ? { ...t, used: null } : t
    ),
    concurrent_streams: policy.concurrent_streams.map((c) =>
      pool(c.scope) ? { ...c, in_flight: null } : c
    ),
    budgets: policy.budgets.map((b) => pool(b.scope) ? { ...b, spent: null, reserved: null } : b),
  };
}
