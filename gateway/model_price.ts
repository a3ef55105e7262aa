import type { TokenUsage } from "./usage.ts";

/** What a model costs, in US dollars per million tokens of each kind. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Output tokens. */
  output: number;
  /** Input tokens read from the prompt cache. */
  cacheRead: number;
  /** Input tokens written to the prompt cache. */
  cacheWrite: number;
}

/** Looks up the price of a Bedrock model id or inference profile; `undefined` when unpriced. */
export type PriceOf = (bedrockModelId: string) => ModelPrice | undefined;

/**
 * The cost of one response's tokens, in US dollars.
 *
 * @param usage Token counts of the response.
 * @param price The model's price per million tokens.
 * @returns Dollars (not rounded).
 *
 * @example
 * ```ts
 * import { costUsd } from "./model_price.ts";
 * const dollars = costUsd(
 *   { inputTokens: 1_000_000, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
 *   { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
 * );
 * console.assert(dollars === 3);
 * ```
 */
export function costUsd(usage: TokenUsage, price: ModelPrice): number {
  return (
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadInputTokens * price.cacheRead +
    usage.cacheCreationInputTokens * price.cacheWrite
  ) / 1_000_000;
}
