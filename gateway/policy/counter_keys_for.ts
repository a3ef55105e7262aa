import type { BudgetLimit, EffectiveRules, ScopedLimit } from "./effective_rules.ts";
import { type CounterWindow, counterWindow, MINUTE_MS } from "./counter_window.ts";
import type { CounterKey, CounterUnit } from "./shared_counters.ts";

/** A tokens-per-minute limit's counters: tokens counted and tokens credited back, per minute. */
export interface TokenMinuteKeys {
  /** The limit. */
  limit: ScopedLimit;
  /** Tokens counted this minute. */
  key: CounterKey;
  /** Tokens counted the previous minute. */
  previous: CounterKey;
  /** Tokens credited back to this minute's count. */
  credited: CounterKey;
  /** Tokens credited back to the previous minute's count. */
  previousCredited: CounterKey;
}

/** What {@linkcode counterKeysFor} returns. */
export interface CounterKeys {
  /** The current calendar minute. */
  minute: CounterWindow & { startsAt: number };
  /** Per rate limit, the counters of this minute and the previous one. */
  rate: { limit: ScopedLimit; key: CounterKey; previous: CounterKey }[];
  /**
   * Per input-tokens-per-minute limit, the counters of this minute and the
   * previous one, and of the tokens credited back to each (`credited`,
   * `previousCredited`: counted above what Bedrock then reported).
   */
  tokens: TokenMinuteKeys[];
  /** Per budget, the counter of its current window. */
  budgets: { budget: BudgetLimit; key: CounterKey }[];
  /** Scopes of the concurrency limits. */
  scopes: string[];
  /** Every counter key above, for `SharedCounters.cold` and `load`. */
  keys: CounterKey[];
}

/**
 * The counters a user's rules touch at `now`: this minute's and the previous
 * minute's request counts per rate limit and input token counts (and tokens
 * credited back) per token rate limit (a sliding minute, see `slidingCount`),
 * the current window of each budget, the in-flight scopes, and every key
 * together (for `cold` and `load`: one read). Pure.
 *
 * @param rules The user's effective rules.
 * @param now The wall clock.
 * @returns The counter keys, by use.
 *
 * @example
 * ```ts ignore
 * const { minute, rate, keys } = counterKeysFor(policy.rulesFor(subject), new Date());
 * ```
 */
export function counterKeysFor(rules: EffectiveRules, now: Date): CounterKeys {
  const window = counterWindow("minute", now);
  const minute = { ...window, startsAt: window.endsAt - MINUTE_MS };
  const before = counterWindow("minute", new Date(minute.startsAt - 1));
  // A minute's count is kept a minute after it ends: it is the next minute's `previous`.
  const counter = (w: CounterWindow, scope: string, unit: CounterUnit): CounterKey => ({
    scope,
    window: w.id,
    unit,
    endsAt: w.endsAt + MINUTE_MS,
  });
  const rate = rules.rate.map((limit) => ({
    limit,
    key: counter(window, limit.scope, "requests"),
    previous: counter(before, limit.scope, "requests"),
  }));
  const tokens = rules.tokenRate.map((limit) => ({
    limit,
    key: counter(window, limit.scope, "tokens"),
    previous: counter(before, limit.scope, "tokens"),
    credited: counter(window, limit.scope, "tokens_credited"),
    previousCredited: counter(before, limit.scope, "tokens_credited"),
  }));
  const budgets = rules.budgets.map((budget) => {
    const w = counterWindow(budget.period, now);
    const key: CounterKey = {
      scope: budget.scope,
      window: w.id,
      unit: budget.unit === "usd" ? "usd_micros" : "tokens",
      endsAt: w.endsAt,
    };
    return { budget, key };
  });
  const scopes = rules.concurrency.map((c) => c.scope);
  const keys = [
    ...rate.flatMap((r) => [r.key, r.previous]),
    ...tokens.flatMap((t) => [t.key, t.previous, t.credited, t.previousCredited]),
    ...budgets.map((b) => b.key),
  ];
  return { minute, rate, tokens, budgets, scopes, keys };
}
