/** Token counts of one response, for the usage record. */
export interface TokenUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  /** Output tokens (cumulative, as of the last event seen). */
  outputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadInputTokens: number;
  /** Input tokens written to the prompt cache, whatever their lifetime (5 minutes or 1 hour). */
  cacheCreationInputTokens: number;
  /**
   * Of {@linkcode TokenUsage.cacheCreationInputTokens}, those written to the
   * 1-hour cache (`cache_control.ttl: "1h"`), which cost more than 5-minute
   * writes: the answer's `cache_creation.ephemeral_1h_input_tokens`. Absent:
   * none (an answer without `cache_creation` wrote 5-minute entries only).
   */
  cacheCreation1hInputTokens?: number;
}

/**
 * Reads an Anthropic `usage` object into a {@linkcode TokenUsage}, on top of
 * what is already known: a field missing in `raw`, or not a whole count
 * between 0 and 10^12 (what a faulty upstream might send), keeps its
 * previous value, so `message_delta` totals can overlay `message_start`.
 * The 1-hour cache writes come from `cache_creation.ephemeral_1h_input_tokens`
 * (kept only when above 0).
 *
 * @param raw The `usage` value from a message or stream event.
 * @param previous Counts known so far.
 * @returns New counts.
 *
 * @example
 * ```ts
 * import { readUsage } from "./usage.ts";
 * const start = readUsage({ input_tokens: 10, output_tokens: 1 });
 * const end = readUsage({ output_tokens: 42 }, start);
 * console.assert(end.inputTokens === 10 && end.outputTokens === 42);
 * ```
 *
 * @example A 1-hour cache write
 * ```ts
 * import { readUsage } from "./usage.ts";
 * const usage = readUsage({
 *   input_tokens: 3,
 *   output_tokens: 1,
 *   cache_creation_input_tokens: 5000,
 *   cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 4000 },
 * });
 * console.assert(usage.cacheCreationInputTokens === 5000 && usage.cacheCreation1hInputTokens === 4000);
 * ```
 */
export function readUsage(raw: unknown, previous: TokenUsage = EMPTY_USAGE): TokenUsage {
  if (raw === null || typeof raw !== "object") return { ...previous };
  const u = raw as Record<string, unknown>;
  const usage: TokenUsage = {
    inputTokens: _count(u.input_tokens, previous.inputTokens),
    outputTokens: _count(u.output_tokens, previous.outputTokens),
    cacheReadInputTokens: _count(u.cache_read_input_tokens, previous.cacheReadInputTokens),
    cacheCreationInputTokens: _count(
      u.cache_creation_input_tokens,
      previous.cacheCreationInputTokens,
    ),
  };
  const creation = u.cache_creation;
  const oneHour = creation !== null && typeof creation === "object"
    ? _count(
      (creation as Record<string, unknown>).ephemeral_1h_input_tokens,
      previous.cacheCreation1hInputTokens ?? 0,
    )
    : previous.cacheCreation1hInputTokens ?? 0;
  if (oneHour > 0) usage.cacheCreation1hInputTokens = oneHour;
  return usage;
}

/**
 * Of a usage's cache writes, how many went to the 5-minute and how many to
 * the 1-hour cache: the 1-hour count as reported, at most the total; the
 * rest 5-minute. Pure.
 *
 * @param usage Token counts.
 * @returns The two parts, summing to `usage.cacheCreationInputTokens`.
 *
 * @example
 * ```ts
 * import { cacheWrites } from "./usage.ts";
 * const { fiveMinute, oneHour } = cacheWrites({
 *   inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0,
 *   cacheCreationInputTokens: 500, cacheCreation1hInputTokens: 400,
 * });
 * console.assert(fiveMinute === 100 && oneHour === 400);
 * ```
 */
export function cacheWrites(usage: TokenUsage): { fiveMinute: number; oneHour: number } {
  const total = usage.cacheCreationInputTokens;
  const oneHour = Math.min(usage.cacheCreation1hInputTokens ?? 0, total);
  return { fiveMinute: total - oneHour, oneHour };
}

/** Zero counts. */
export const EMPTY_USAGE: Readonly<TokenUsage> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
});

/** Most tokens one count can be: far above any context window, far below what KV sums hold. */
const MAX_COUNT = 1e12;

function _count(value: unknown, fallback: number): number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_COUNT
    ? value as number
    : fallback;
}
