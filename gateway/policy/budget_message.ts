import type { ModelPrice } from "../model_price.ts";
import type { BudgetLimit } from "./effective_rules.ts";

/**
 * The escrow of one request in micro-dollars: the input estimate at the
 * model's dearest input rate (cache writes cost more than plain input) and
 * all of `max_tokens` at the output rate. Pure.
 *
 * @param inputTokens Input estimate (errs high).
 * @param maxTokens The request's `max_tokens` (after any cap).
 * @param price The model's price per million tokens.
 * @returns Micro-dollars, rounded up.
 *
 * @example
 * ```ts
 * import { worstCaseMicros } from "./budget_message.ts";
 * const micros = worstCaseMicros(200, 1000, { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 });
 * console.assert(micros === 5250);
 * ```
 */
export function worstCaseMicros(inputTokens: number, maxTokens: number, price: ModelPrice): number {
  const perInput = Math.max(price.input, price.cacheWrite, price.cacheRead);
  return Math.ceil(inputTokens * perInput + maxTokens * price.output);
}

/**
 * The message of a budget refusal: the budget, its rule, what is spent and
 * what this request may cost. Pure.
 *
 * @param budget The budget.
 * @param spent Spent so far (micro-dollars or tokens).
 * @param amount This request's worst case (same unit).
 * @param inFlight Whether requests in flight, not spent usage, block it.
 * @returns The message.
 *
 * @example
 * ```ts
 * import { budgetMessage } from "./budget_message.ts";
 * const message = budgetMessage(
 *   { limit: 20, rule: "groups.eng.budgets.daily_usd", scope: "user:u", per: "user", period: "daily", unit: "usd" },
 *   19_990_000,
 *   480_000,
 *   false,
 * );
 * console.assert(message.startsWith("Budget of $20.00 per day (UTC) per user would be exceeded"));
 * ```
 */
export function budgetMessage(
  budget: BudgetLimit,
  spent: number,
  amount: number,
  inFlight: boolean,
): string {
  const usd = (dollars: number) => `$${dollars.toFixed(dollars >= 1 ? 2 : 4)}`;
  const fmt = (n: number) => budget.unit === "usd" ? usd(n / 1_000_000) : `${Math.round(n)} tokens`;
  const limit = budget.unit === "usd" ? usd(budget.limit) : `${budget.limit} tokens`;
  const period = budget.period === "daily" ? "day (UTC)" : "month (UTC)";
  const who = budget.per === "user" ? "per user" : "for the group";
  return `Budget of ${limit} per ${period} ${who} would be exceeded (rule: ${budget.rule}): ${
    fmt(spent)
  } spent, this request may cost up to ${fmt(amount)}${
    inFlight ? " while requests in flight hold the rest; retry shortly" : ""
  }`;
}
