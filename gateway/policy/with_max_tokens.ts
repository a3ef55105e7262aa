const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** Bedrock's smallest extended-thinking budget. */
const MIN_THINKING_BUDGET = 1024;

/**
 * An InvokeModel body with `max_tokens` replaced: how the policy's cap is
 * applied after translation. An extended-thinking budget that no longer fits
 * under the cap (it must be smaller than `max_tokens`) is lowered to
 * `cap − 1` when that is still a valid budget. Only capped requests pay for
 * this re-encoding. Pure.
 *
 * @param body The translated InvokeModel body (JSON bytes).
 * @param maxTokens The capped value.
 * @returns The new body.
 *
 * @example
 * ```ts
 * import { withMaxTokens } from "./with_max_tokens.ts";
 * const out = withMaxTokens(new TextEncoder().encode('{"max_tokens":64000}'), 8000);
 * console.assert(new TextDecoder().decode(out) === '{"max_tokens":8000}');
 * ```
 */
export function withMaxTokens(body: Uint8Array, maxTokens: number): Uint8Array {
  const value = JSON.parse(decoder.decode(body)) as Record<string, unknown>;
  value.max_tokens = maxTokens;
  const thinking = value.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (
    thinking !== null && typeof thinking === "object" && thinking.type === "enabled" &&
    typeof thinking.budget_tokens === "number" && thinking.budget_tokens >= maxTokens &&
    maxTokens - 1 >= MIN_THINKING_BUDGET
  ) {
    value.thinking = { ...thinking, budget_tokens: maxTokens - 1 };
  }
  return encoder.encode(JSON.stringify(value));
}
