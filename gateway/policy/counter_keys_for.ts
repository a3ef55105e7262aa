import type { BudgetLimit, EffectiveRules, ScopedLimit } from "./effective_rules.ts";
import { type CounterWindow, counterWindow, MINUTE_MS } from "./counter_window.ts";
import type { CounterKey } from "./shared_counters.ts";

/** What {@linkcode counterKeysFor} returns. */
export interface CounterKeys {
  /** The current calendar minute. */
  minute: CounterWindow & { startsAt: number };
  /** Per rate limit, the counters of this minute and the previous one. */
  rate: { limit: ScopedLimit; key: CounterKey; previous: CounterKey }[];
  /** Per input-tokens-per-minute limit, the counters of this minute and the previous one. */
  tokens: { limit: ScopedLimit; key: CounterKey; previous: CounterKey }[];
  /** Per budget, the counter of its current window. */
  budgets: { budget: BudgetLimit; key: CounterKey }[];
  /** Scopes of the concurrency limits. */
  scopes: string[];
  /** Every counter key above, for `SharedCounters.cold` and `load`. */
  keys: CounterKey[];
}

/**
 * The counters a user's rules touch at `now`: this minute's and the previous
 * minute's request counts per rate limit and input token counts per token
 * rate limit (a sliding minute, see `slidingCount`), the current window of each budget, the in-flight scopes,
 * and every key together (for `cold` and `load`). Pure.
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
  const counter = (w: CounterWindow, scope: string, unit: "requests" | "tokens"): CounterKey => ({
    scope,
    window: w.id,
    unit,
    endsAt: w.endsAt + MINUTE_MS,
  });
  const perMinute = (limits: readonly ScopedLimit[], unit: "requests" | "tokens") =>
    limits.map((limit) => ({
      limit,
      key: counter(window, limit.scope, unit),
      previous: counter(before, limit.scope, unit),
    }));
  const rate = perMinute(rules.rate, "requests");
  const tokens = perMinute(rules.tokenRate, "tokens");
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
    ...[...rate, ...tokens].flatMap((r) => [r.key, r.previous]),
    ...budgets.map((b) => b.key),
  ];
  return { minute, rate, tokens, budgets, scopes, keys };
}
