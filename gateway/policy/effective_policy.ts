import { counterKeysFor } from "./counter_keys_for.ts";
import type { EffectiveRules } from "./effective_rules.ts";
import { minuteCounts } from "./minute_counts.ts";
import type { SharedCounters } from "./shared_counters.ts";
import { slidingCount } from "./sliding_minute.ts";

/** A user's effective policy and usage, as `PolicyEngine.describe` reports it. */
export interface EffectivePolicy {
  /** Allowed catalogue model names, or `all`. */
  models: string[] | "all";
  /** The rules that set `models`. */
  model_rules: string[];
  /** The `max_tokens` limit, or `null`. */
  max_tokens: { limit: number; rule: string; mode: "cap" | "refuse" } | null;
  /** Requests-per-minute limits and the sliding minute's count (as this instance knows it). */
  requests_per_minute: { scope: string; limit: number; rule: string; used: number }[];
  /** Input-tokens-per-minute limits and the sliding minute's count of input tokens. */
  tokens_per_minute: { scope: string; limit: number; rule: string; used: number }[];
  /** In-flight limits and the current count. */
  concurrent_streams: { scope: string; limit: number; rule: string; in_flight: number }[];
  /** Budgets with what is spent and reserved in the current window (dollars or tokens). */
  budgets: {
    scope: string;
    period: "daily" | "monthly";
    unit: "usd" | "tokens";
    window: string;
    limit: number;
    rule: string;
    spent: number;
    reserved: number;
  }[];
}

/**
 * A user's effective policy with how much of each limit is used, as this
 * instance's counters say now (dollars as dollars). Pure over the counters.
 *
 * @param rules The user's effective rules.
 * @param counters The counters (loaded from KV where this instance had not seen them).
 * @param now Current time.
 * @returns The effective policy.
 *
 * @example
 * ```ts ignore
 * const described = effectivePolicyOf(policy.rulesFor(subject), counters, new Date());
 * ```
 */
export function effectivePolicyOf(
  rules: EffectiveRules,
  counters: SharedCounters,
  now: Date,
): EffectivePolicy {
  const { minute, rate, tokens, budgets } = counterKeysFor(rules, now);
  const scale = (unit: "usd" | "tokens", n: number) => unit === "usd" ? n / 1_000_000 : n;
  return {
    models: rules.models.allowed === "all" ? "all" : [...rules.models.allowed],
    model_rules: rules.models.rules,
    max_tokens: rules.maxTokens === undefined ? null : { ...rules.maxTokens },
    requests_per_minute: rate.map((r) => ({
      scope: r.limit.scope,
      limit: r.limit.limit,
      rule: r.limit.rule,
      used: slidingCount(minuteCounts(counters, r, minute.startsAt, now)),
    })),
    tokens_per_minute: tokens.map((t) => ({
      scope: t.limit.scope,
      limit: t.limit.limit,
      rule: t.limit.rule,
      used: slidingCount(minuteCounts(counters, t, minute.startsAt, now)),
    })),
    concurrent_streams: rules.concurrency.map((c) => ({
      scope: c.scope,
      limit: c.limit,
      rule: c.rule,
      in_flight: counters.active(c.scope),
    })),
    budgets: budgets.map(({ budget: b, key }) => ({
      scope: b.scope,
      period: b.period,
      unit: b.unit,
      window: key.window,
      limit: b.limit,
      rule: b.rule,
      spent: scale(b.unit, counters.settled(key)),
      reserved: scale(b.unit, counters.reserved(key)),
    })),
  };
}
