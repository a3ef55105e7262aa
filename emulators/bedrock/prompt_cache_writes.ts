import { countInputTokens } from "./count_input_tokens.ts";
import type { AnthropicCacheCreation } from "./types.ts";

/**
 * Fewest prompt tokens a cache breakpoint must cover to be cached: Bedrock's
 * smallest minimum (1,024 tokens: the Sonnet and Opus 4 models; some models
 * need more). Below it, nothing is written, as on Bedrock.
 */
export const MIN_CACHED_TOKENS = 1024;

/**
 * The prompt-cache writes Bedrock reports for a request's `cache_control`
 * breakpoints, as the emulator counts tokens ({@linkcode countInputTokens}):
 * the prompt (tools, then system, then messages) up to the last breakpoint
 * is written; up to the last `ttl: "1h"` breakpoint to the 1-hour cache, the
 * rest of it to the 5-minute cache (Anthropic places 1-hour breakpoints
 * before 5-minute ones). The emulator keeps no cache: every request writes,
 * none reads. `undefined` when no breakpoint covers
 * {@linkcode MIN_CACHED_TOKENS}. Pure.
 *
 * @param body The InvokeModel body (parsed).
 * @returns The split of the cache writes, or `undefined` for none.
 *
 * @example
 * ```ts
 * import { promptCacheWrites } from "./prompt_cache_writes.ts";
 * const system = [{ type: "text", text: "x".repeat(8000), cache_control: { type: "ephemeral", ttl: "1h" } }];
 * const writes = promptCacheWrites({ system, messages: [{ role: "user", content: "Hi" }] })!;
 * console.assert(writes.ephemeral_1h_input_tokens > 2000 && writes.ephemeral_5m_input_tokens === 0);
 * ```
 */
export function promptCacheWrites(
  body: Record<string, unknown>,
): AnthropicCacheCreation | undefined {
  let chars = 0;
  let last = 0;
  let lastOneHour = 0;
  const walk = (blocks: unknown) => {
    if (!Array.isArray(blocks)) {
      chars += JSON.stringify(blocks ?? "").length;
      return;
    }
    for (const block of blocks) {
      chars += JSON.stringify(block ?? null).length;
      const ttl = _ttl(block);
      if (ttl === undefined) continue;
      last = chars;
      if (ttl === "1h") lastOneHour = chars;
    }
  };
  walk(body.tools ?? []);
  walk(body.system ?? "");
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    walk((m as { content?: unknown } | null)?.content ?? "");
  }
  const total = countInputTokens(body);
  const written = Math.min(total, Math.floor(last / 4));
  if (written < MIN_CACHED_TOKENS) return undefined;
  const oneHour = Math.min(written, Math.floor(lastOneHour / 4));
  return { ephemeral_5m_input_tokens: written - oneHour, ephemeral_1h_input_tokens: oneHour };
}

/** A block's cache breakpoint lifetime (`"5m"` or `"1h"`), `undefined` without one. */
function _ttl(block: unknown): string | undefined {
  if (block === null || typeof block !== "object") return undefined;
  const cc = (block as { cache_control?: unknown }).cache_control;
  if (cc === null || typeof cc !== "object") return undefined;
  return (cc as { ttl?: unknown }).ttl === "1h" ? "1h" : "5m";
}
