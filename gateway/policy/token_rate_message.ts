import type { ScopedLimit } from "./effective_rules.ts";

/** A count for messages: `12,345`. */
function _count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/**
 * The message of a `tokens_per_minute` refusal: with `used`, the limit is
 * reached (429, `RateLimitedError`); without, the request's input estimate
 * alone is over it (400, `RequestOverBudgetError`). Pure.
 *
 * @param limit The limit and its rule.
 * @param input The request's input estimate, tokens.
 * @param used The sliding minute's count, tokens (absent: the input alone is over the limit).
 * @param wait The `retry-after`, seconds (with `used`).
 * @returns The message.
 *
 * @example
 * ```ts
 * import { tokenRateMessage } from "./token_rate_message.ts";
 * const limit = { limit: 1000, rule: "defaults.tokens_per_minute", scope: "u", per: "user" as const };
 * const message = tokenRateMessage(limit, 400, 800, 55);
 * console.assert(message.endsWith("an estimated 400; retry after 55 s"));
 * ```
 */
export function tokenRateMessage(
  limit: ScopedLimit,
  input: number,
  used?: number,
  wait?: number,
): string {
  const who = limit.per === "user" ? "per user" : "for the group";
  const what = `${_count(limit.limit)} input tokens per minute ${who}`;
  if (used === undefined) {
    return `The input of this request alone (an estimated ${
      _count(input)
    } tokens) is more than the limit of ${what} (rule: ${limit.rule}), so it cannot be admitted and retrying will not help: shorten the conversation (Claude Code: /compact) or ask your gateway admin to raise the limit`;
  }
  return `Limit of ${what} reached (rule: ${limit.rule}): ${
    _count(used)
  } in the last minute, this request an estimated ${_count(input)}; retry after ${wait} s`;
}
