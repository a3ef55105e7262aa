import type { TokenUsage } from "../usage.ts";
import type { SettleOptions } from "./admission.ts";

/** How a request's `tokens_per_minute` count changes once Bedrock has counted its prompt. */
export interface PromptCorrection {
  /** Tokens Bedrock counted above the estimate: added in the minute the request ends. */
  excess: number;
  /** Tokens the estimate counted above Bedrock's count: credited back to the minute it was counted in. */
  credit: number;
}

/**
 * What corrects a request's `tokens_per_minute` count, which counted its
 * input as estimated at admission, once the request ends: the difference
 * between that estimate and the prompt Bedrock counted (input + cache read
 * + cache write tokens), as an excess to add or a credit to take back.
 * Without Bedrock's count — no usage (failed or aborted before it was
 * known), a usage whose prompt is the gateway's own estimate
 * (`promptEstimated`), or a prompt of 0 tokens (a usage without input
 * counts; Bedrock counts at least one) — nothing changes: the estimate
 * stays counted, as the call may have been billed. Pure.
 *
 * @param estimate The input tokens counted at admission.
 * @param usage What the request used, if known.
 * @param options How the usage was known.
 * @returns The excess and the credit (at most one of them is not 0).
 *
 * @example
 * ```ts
 * import { promptCorrection } from "./prompt_correction.ts";
 * const usage = {
 *   inputTokens: 10,
 *   outputTokens: 50,
 *   cacheReadInputTokens: 15_000,
 *   cacheCreationInputTokens: 2_000,
 * };
 * // Estimated 25,000, counted 17,010: 7,990 go back.
 * const { excess, credit } = promptCorrection(25_000, usage);
 * console.assert(excess === 0 && credit === 7_990);
 * ```
 */
export function promptCorrection(
  estimate: number,
  usage?: TokenUsage,
  options: SettleOptions = {},
): PromptCorrection {
  if (usage === undefined || options.promptEstimated === true) return NONE;
  const counted = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  if (counted === 0) return NONE;
  return { excess: Math.max(0, counted - estimate), credit: Math.max(0, estimate - counted) };
}

const NONE: Readonly<PromptCorrection> = Object.freeze({ excess: 0, credit: 0 });
