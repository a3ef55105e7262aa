import { cacheWrites, type TokenUsage } from "./usage.ts";

/** What a model costs, in US dollars per million tokens of each kind. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Output tokens. */
  output: number;
  /** Input tokens read from the prompt cache. */
  cacheRead: number;
  /** Input tokens written to the 5-minute prompt cache (the default `cache_control` lifetime). */
  cacheWrite: number;
  /** Input tokens written to the 1-hour prompt cache (`cache_control.ttl: "1h"`). */
  cacheWrite1h: number;
}

/** Looks up the price of a Bedrock model id or inference profile; `undefined` when unpriced. */
export type PriceOf = (bedrockModelId: string) => ModelPrice | undefined;

/**
 * The cost of one response's tokens, in US dollars: cache writes at the
 * 5-minute or the 1-hour rate as the answer split them (all 5-minute when it
 * did not say).
 *
 * @param usage Token counts of the response.
 * @param price The model's price per million tokens.
 * @returns Dollars (not rounded).
 *
 * @example
 * ```ts
 * import { costUsd } from "./model_price.ts";
 * const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };
 * const dollars = costUsd(
 *   { inputTokens: 1_000_000, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
 *   price,
 * );
 * console.assert(dollars === 3);
 * const oneHourWrite = costUsd({
 *   inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0,
 *   cacheCreationInputTokens: 1_000_000, cacheCreation1hInputTokens: 1_000_000,
 * }, price);
 * console.assert(oneHourWrite === 6);
 * ```
 */
export function costUsd(usage: TokenUsage, price: ModelPrice): number {
  const { fiveMinute, oneHour } = cacheWrites(usage);
  return (
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadInputTokens * price.cacheRead +
    fiveMinute * price.cacheWrite +
    oneHour * price.cacheWrite1h
  ) / 1_000_000;
}
