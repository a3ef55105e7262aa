/** Token counts of one response, for the usage record. */
export interface TokenUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  /** Output tokens (cumulative, as of the last event seen). */
  outputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadInputTokens: number;
  /** Input tokens written to the prompt cache. */
  cacheCreationInputTokens: number;
}

/**
 * Reads an Anthropic `usage` object into a {@linkcode TokenUsage}, on top of
 * what is already known: a field missing in `raw`, or not a whole count
 * between 0 and 10^12 (what a faulty upstream might send), keeps its
 * previous value, so `message_delta` totals can overlay `message_start`.
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
 */
export function readUsage(raw: unknown, previous: TokenUsage = EMPTY_USAGE): TokenUsage {
  if (raw === null || typeof raw !== "object") return { ...previous };
  const u = raw as Record<string, unknown>;
  return {
    inputTokens: _count(u.input_tokens, previous.inputTokens),
    outputTokens: _count(u.output_tokens, previous.outputTokens),
    cacheReadInputTokens: _count(u.cache_read_input_tokens, previous.cacheReadInputTokens),
    cacheCreationInputTokens: _count(
      u.cache_creation_input_tokens,
      previous.cacheCreationInputTokens,
    ),
  };
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
