import { FALLBACK_MAX_OUTPUT } from "../model_max_output.ts";

/**
 * The `max_tokens` to send for a request whose client set none (an OpenAI
 * request: the gateway asks for the model's maximum output) under budgets
 * leaving `rooms` output tokens each (`outputRoom`): the default,
 * lowered to the least room, but never below 4,096 (what such requests were
 * sent with before the default was the model's maximum), so that the budget
 * refuses only what it refused before, with the same figures. Pure.
 *
 * @param maxTokens The default (after the policy's `max_tokens` cap).
 * @param rooms The output room of each budget that applies (none: no change).
 * @returns The `max_tokens` to escrow and send.
 *
 * @example
 * ```ts
 * import { defaultedMaxTokens } from "./defaulted_max_tokens.ts";
 * console.assert(defaultedMaxTokens(128_000, [50_000.5, 90_000]) === 50_000);
 * console.assert(defaultedMaxTokens(128_000, [1_000]) === 4096);
 * console.assert(defaultedMaxTokens(128_000, []) === 128_000);
 * ```
 */
export function defaultedMaxTokens(maxTokens: number, rooms: readonly number[]): number {
  const room = Math.floor(Math.min(...rooms));
  return Math.min(maxTokens, Math.max(room, Math.min(maxTokens, FALLBACK_MAX_OUTPUT)));
}
