import { type ModelPrice, ratesFor } from "../model_price.ts";
import type { BudgetLimit } from "./effective_rules.ts";

/**
 * The escrow of one request in micro-dollars: the input estimate at the
 * model's dearest input rate (cache writes cost more than plain input,
 * 1-hour ones most: pass {@linkcode escrowPrice}'s price for a request that
 * asks for none) and all of `max_tokens` at the output rate, both of the
 * long-context tier when the estimate is above its threshold. Pure.
 *
 * @param inputTokens Input estimate (errs high).
 * @param maxTokens The request's `max_tokens` (after any cap).
 * @param price The model's price per million tokens.
 * @returns Micro-dollars, rounded up.
 *
 * @example
 * ```ts
 * import { worstCaseMicros } from "./budget_message.ts";
 * const price = { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, cacheWrite1h: 2 };
 * console.assert(worstCaseMicros(200, 1000, price) === 5400);
 * ```
 *
 * @example An estimate past the long-context threshold
 * ```ts
 * import { worstCaseMicros } from "./budget_message.ts";
 * const base = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };
 * const price = {
 *   ...base,
 *   longContext: { aboveTokens: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 },
 * };
 * console.assert(worstCaseMicros(200_000, 1000, price) === 1_215_000);
 * console.assert(worstCaseMicros(200_001, 1000, price) === 2_422_512);
 * ```
 */
export function worstCaseMicros(inputTokens: number, maxTokens: number, price: ModelPrice): number {
  const rates = ratesFor(price, inputTokens);
  const perInput = Math.max(rates.input, rates.cacheWrite, rates.cacheWrite1h, rates.cacheRead);
  return Math.ceil(inputTokens * perInput + maxTokens * rates.output);
}

/**
 * The price a request's escrow uses: the model's, but for a request that asks
 * for no 1-hour cache write, with the 1-hour write rate lowered to the
 * 5-minute one (it cannot be charged more), in the long-context tier too. Pure.
 *
 * @param price The model's price per million tokens.
 * @param oneHourCache Whether the request asks for 1-hour cache writes.
 * @returns The price to pass to {@linkcode worstCaseMicros}.
 *
 * @example
 * ```ts
 * import { escrowPrice, worstCaseMicros } from "./budget_message.ts";
 * const price = { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, cacheWrite1h: 2 };
 * console.assert(worstCaseMicros(200, 1000, escrowPrice(price, false)) === 5250);
 * console.assert(worstCaseMicros(200, 1000, escrowPrice(price, true)) === 5400);
 * ```
 */
export function escrowPrice(price: ModelPrice, oneHourCache: boolean): ModelPrice {
  if (oneHourCache) return price;
  const { longContext: long, ...base } = price;
  const lowered: ModelPrice = {
    ...base,
    cacheWrite1h: Math.min(base.cacheWrite1h, base.cacheWrite),
  };
  if (long !== undefined) {
    lowered.longContext = { ...long, cacheWrite1h: Math.min(long.cacheWrite1h, long.cacheWrite) };
  }
  return lowered;
}

/**
 * A budget's limit in its counter's unit: micro-dollars for a dollar budget,
 * tokens for a token budget. Pure.
 *
 * @param budget The budget.
 * @returns The limit in counter units.
 *
 * @example
 * ```ts
 * import { budgetLimitUnits } from "./budget_message.ts";
 * const daily = { limit: 20, rule: "defaults.budgets.daily_usd", scope: "user:u", per: "user" as const };
 * console.assert(budgetLimitUnits({ ...daily, period: "daily", unit: "usd" }) === 20_000_000);
 * ```
 */
export function budgetLimitUnits(budget: BudgetLimit): number {
  return budget.unit === "usd" ? budget.limit * 1_000_000 : budget.limit;
}

/** Dollars for messages: `$20.00`, `$0.0480`. */
function _usd(dollars: number): string {
  return `$${dollars.toFixed(dollars >= 1 ? 2 : 4)}`;
}

/** A budget's size and window for messages: `$20.00 per day (UTC) per user`. */
function _budget(budget: BudgetLimit, limit: string): string {
  const period = budget.period === "daily" ? "day (UTC)" : "month (UTC)";
  const who = budget.per === "user" ? "per user" : "for the group";
  return `${limit} per ${period} ${who}`;
}

/** The least `max_tokens` a budget refusal suggests: below it, a turn of Claude Code hardly fits. */
const MIN_SUGGESTED_ROOM = 1_024;

/**
 * The message of a budget refusal: the budget, its rule, what is spent and
 * what this request may cost; and, when what is left would take this
 * request with a smaller `max_tokens` (at least 1,024), that `max_tokens`:
 * a dollar budget escrows each request's worst case, so Claude Code asking
 * 64,000 output tokens of an expensive model is refused while much of the
 * day's budget is still there. Pure.
 *
 * @param budget The budget.
 * @param spent Spent so far (micro-dollars or tokens).
 * @param amount This request's worst case (same unit).
 * @param inFlight Whether requests in flight, not spent usage, block it.
 * @param room The most output what is left takes with this request's input
 *   ({@linkcode outputRoom} with `spent`), when known.
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
  room?: number,
): string {
  const fmt = (n: number) =>
    budget.unit === "usd" ? _usd(n / 1_000_000) : `${Math.round(n)} tokens`;
  const limit = budget.unit === "usd" ? _usd(budget.limit) : `${budget.limit} tokens`;
  const smaller = !inFlight && room !== undefined && room >= MIN_SUGGESTED_ROOM
    ? `; what is left takes it with max_tokens of at most ${
      Math.floor(room).toLocaleString("en-US")
    } (Claude Code: CLAUDE_CODE_MAX_OUTPUT_TOKENS)`
    : "";
  return `Budget of ${_budget(budget, limit)} would be exceeded (rule: ${budget.rule}): ${
    fmt(spent)
  } spent, this request may cost up to ${fmt(amount)}${
    inFlight ? " while requests in flight hold the rest; retry shortly" : ""
  }${smaller}`;
}

/**
 * The message of a request whose worst case alone is larger than a whole
 * budget (`RequestOverBudgetError`): the budget and its rule, what the
 * request may cost, and what to change — the largest `max_tokens` that would
 * fit with this input, or, when the input alone is too large, a shorter
 * conversation. Pure.
 *
 * @param budget The budget.
 * @param inputTokens The request's input estimate (errs high).
 * @param maxTokens The request's `max_tokens` (after any cap).
 * @param price The request's escrow price per million tokens (for dollar budgets; {@linkcode escrowPrice}).
 * @returns The message.
 *
 * @example
 * ```ts
 * import { escrowPrice, overBudgetMessage } from "./budget_message.ts";
 * const message = overBudgetMessage(
 *   { limit: 1, rule: "defaults.budgets.daily_usd", scope: "user:u", per: "user", period: "daily", unit: "usd" },
 *   10_000,
 *   128_000,
 *   escrowPrice({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 }, false),
 * );
 * console.assert(message.includes("lower max_tokens to at most 64,166"));
 * ```
 */
export function overBudgetMessage(
  budget: BudgetLimit,
  inputTokens: number,
  maxTokens: number,
  price: ModelPrice,
): string {
  const count = (n: number) => Math.max(0, Math.floor(n)).toLocaleString("en-US");
  const dollars = budget.unit === "usd";
  const limit = budgetLimitUnits(budget);
  const input = dollars ? worstCaseMicros(inputTokens, 0, price) : inputTokens;
  const amount = dollars ? worstCaseMicros(inputTokens, maxTokens, price) : inputTokens + maxTokens;
  const fmt = (n: number) => dollars ? _usd(n / 1_000_000) : `${count(n)} tokens`;
  const whole = `the whole budget of ${_budget(budget, fmt(limit))} (rule: ${budget.rule})`;
  const never = "so it cannot be admitted even with nothing spent and retrying will not help";
  const admin = "or ask your gateway admin to raise the budget";
  if (input >= limit) {
    const cost = dollars ? `, up to ${fmt(input)}` : "";
    return `The input of this request alone (an estimated ${
      count(inputTokens)
    } tokens${cost}) is more than ${whole}, ${never}: shorten the conversation (Claude Code: /compact) ${admin}`;
  }
  const room = outputRoom(budget, inputTokens, price);
  return `This request may cost up to ${fmt(amount)} (an estimated ${
    count(inputTokens)
  } input tokens plus max_tokens ${
    count(maxTokens)
  }), more than ${whole}, ${never}: lower max_tokens to at most ${
    count(room)
  } (Claude Code: CLAUDE_CODE_MAX_OUTPUT_TOKENS), shorten the conversation, ${admin}`;
}

/**
 * The most output a budget leaves a request once its input is paid for,
 * after `spent` (nothing, by default): the largest `max_tokens` its worst
 * case fits in (negative when the input alone is over what is left). Pure.
 *
 * @param budget The budget.
 * @param inputTokens The request's input estimate (errs high).
 * @param price The request's escrow price ({@linkcode escrowPrice}).
 * @param spent Spent so far (micro-dollars or tokens).
 * @returns Output tokens, not rounded.
 *
 * @example
 * ```ts
 * import { outputRoom } from "./budget_message.ts";
 * const budget = { limit: 1, rule: "defaults.budgets.daily_usd", scope: "user:u", per: "user" as const, period: "daily" as const, unit: "usd" as const };
 * const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 3.75 };
 * console.assert(outputRoom(budget, 10_000, price) === 64_166.666666666664);
 * ```
 */
export function outputRoom(
  budget: BudgetLimit,
  inputTokens: number,
  price: ModelPrice,
  spent = 0,
): number {
  const limit = budgetLimitUnits(budget) - spent;
  if (budget.unit === "tokens") return limit - inputTokens;
  return (limit - worstCaseMicros(inputTokens, 0, price)) / ratesFor(price, inputTokens).output;
}

/**
 * The refusal of a request whose worst case alone is larger than one of its
 * budgets (`RequestOverBudgetError`), or `undefined` when it fits every one
 * with nothing spent. Of several such budgets (the user's own and a group
 * pool's, a day's and a month's), the message is that of the one leaving the
 * least room, so the `max_tokens` it suggests fits every budget. Pure.
 *
 * @param budgets The budgets that apply to the request.
 * @param inputTokens The request's input estimate (errs high).
 * @param maxTokens The request's `max_tokens` (after any cap).
 * @param price The request's escrow price ({@linkcode escrowPrice}).
 * @returns The message of {@linkcode overBudgetMessage}, or `undefined`.
 *
 * @example
 * ```ts
 * import { requestOverBudget } from "./budget_message.ts";
 * const own = { limit: 1, rule: "defaults.budgets.daily_usd", scope: "user:u", per: "user" as const, period: "daily" as const, unit: "usd" as const };
 * const pool = { ...own, limit: 0.5, rule: "groups.eng.pool.budgets.daily_usd", scope: "group:eng", per: "group" as const };
 * const price = { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, cacheWrite1h: 1.25 };
 * console.assert(requestOverBudget([own, pool], 12, 200_000, price)!.includes("groups.eng.pool"));
 * console.assert(requestOverBudget([own, pool], 12, 1_000, price) === undefined);
 * ```
 */
export function requestOverBudget(
  budgets: readonly BudgetLimit[],
  inputTokens: number,
  maxTokens: number,
  price: ModelPrice,
): string | undefined {
  let tightest: { budget: BudgetLimit; room: number } | undefined;
  for (const budget of budgets) {
    const amount = budget.unit === "usd"
      ? worstCaseMicros(inputTokens, maxTokens, price)
      : inputTokens + maxTokens;
    if (amount <= budgetLimitUnits(budget)) continue;
    const room = outputRoom(budget, inputTokens, price);
    if (tightest === undefined || room < tightest.room) tightest = { budget, room };
  }
  return tightest && overBudgetMessage(tightest.budget, inputTokens, maxTokens, price);
}
