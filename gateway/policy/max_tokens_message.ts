import type { RuleLimit } from "./effective_rules.ts";

/**
 * The message of a `max_tokens` refusal (`max_tokens_mode: refuse`), worded
 * as Anthropic's API words a `max_tokens` above a model's maximum:
 * `max_tokens: 128000 > 8000, which is the maximum allowed number of output
 * tokens for <model>`, then the gateway's rule. Claude Code recognises that
 * wording: it sends the request again with the maximum it names (when that
 * is at least 4,096) and keeps to it until `/clear`, where any other wording
 * ends the turn with the error. Pure.
 *
 * @param maxTokens The request's `max_tokens`.
 * @param limit The policy's limit and the rule that set it.
 * @param model The model as the client named it.
 * @returns The message.
 *
 * @example
 * ```ts
 * import { maxTokensMessage } from "./max_tokens_message.ts";
 * const message = maxTokensMessage(128000, { limit: 8000, rule: "defaults.max_tokens" }, "claude-opus-5-5");
 * console.assert(message === "max_tokens: 128000 > 8000, which is the maximum allowed number of output tokens for claude-opus-5-5 on this gateway (rule: defaults.max_tokens)");
 * ```
 */
export function maxTokensMessage(maxTokens: number, limit: RuleLimit, model: string): string {
  return `max_tokens: ${maxTokens} > ${limit.limit}, which is the maximum allowed number of output tokens for ${model} on this gateway (rule: ${limit.rule})`;
}
