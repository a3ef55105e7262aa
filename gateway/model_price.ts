import { cacheWrites, type TokenUsage } from "./usage.ts";

/** What tokens cost at one rate tier, in US dollars per million tokens of each kind. */
export interface TokenRates {
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

/**
 * A model's long-context tier: every token of a request whose prompt (input,
 * cache-read and cache-write tokens together) is above `aboveTokens` is
 * charged at these rates instead of the base ones (Sonnet 4 and 4.5 with the
 * 1M context window past 200K, Haiku 5.5 past 100K).
 */
export interface LongContextRates extends TokenRates {
  /** Prompt tokens a request may have at the base rates; one more and the whole request is charged at these. */
  aboveTokens: number;
}

/** What a model costs, in US dollars per million tokens of each kind. */
export interface ModelPrice extends TokenRates {
  /** The long-context tier, when the model has one. */
  longContext?: LongContextRates;
}

/** Looks up the price of a Bedrock model id or inference profile; `undefined` when unpriced. */
export type PriceOf = (bedrockModelId: string) => ModelPrice | undefined;

/**
 * The rates a request is charged at: the long-context tier's when its prompt
 * is above the tier's threshold, else the base rates. Pure.
 *
 * @param price The model's price.
 * @param promptTokens The request's prompt: input, cache-read and cache-write tokens together
 *   ({@linkcode promptTokens}), or an estimate of them.
 * @returns The rates of the tier that applies.
 *
 * @example
 * ```ts
 * import { ratesFor } from "./model_price.ts";
 * const base = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };
 * const price = {
 *   ...base,
 *   longContext: { aboveTokens: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 },
 * };
 * console.assert(ratesFor(price, 200_000).input === 3);
 * console.assert(ratesFor(price, 200_001).input === 6);
 * ```
 */
export function ratesFor(price: ModelPrice, promptTokens: number): TokenRates {
  const long = price.longContext;
  return long !== undefined && promptTokens > long.aboveTokens ? long : price;
}

/**
 * A usage's prompt tokens, as long-context tiers count them: uncached input,
 * cache reads and cache writes together. Pure.
 *
 * @param usage Token counts.
 * @returns The prompt's size in tokens.
 *
 * @example
 * ```ts
 * import { promptTokens } from "./model_price.ts";
 * const n = promptTokens({
 *   inputTokens: 10, outputTokens: 500, cacheReadInputTokens: 150_000, cacheCreationInputTokens: 60_000,
 * });
 * console.assert(n === 210_010);
 * ```
 */
export function promptTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
}

/**
 * The cost of one response's tokens, in US dollars: every token at the
 * long-context tier's rates when the prompt is above its threshold
 * ({@linkcode ratesFor}), else at the base rates; cache writes at the
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
 *
 * @example A prompt past the long-context threshold
 * ```ts
 * import { costUsd } from "./model_price.ts";
 * const price = {
 *   input: 0.1, output: 0.5, cacheRead: 0.01, cacheWrite: 0.125, cacheWrite1h: 0.2,
 *   longContext: { aboveTokens: 100_000, input: 0.5, output: 2.5, cacheRead: 0.05, cacheWrite: 0.625, cacheWrite1h: 1 },
 * };
 * const usage = { inputTokens: 100_001, outputTokens: 1_000, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
 * console.assert(Math.round(costUsd(usage, price) * 1e6) === 52_501);
 * ```
 */
export function costUsd(usage: TokenUsage, price: ModelPrice): number {
  const rates = ratesFor(price, promptTokens(usage));
  const { fiveMinute, oneHour } = cacheWrites(usage);
  return (
    usage.inputTokens * rates.input +
    usage.outputTokens * rates.output +
    usage.cacheReadInputTokens * rates.cacheRead +
    fiveMinute * rates.cacheWrite +
    oneHour * rates.cacheWrite1h
  ) / 1_000_000;
}
