/**
 * Whether a Messages body (Anthropic's or Bedrock's) asks for a 1-hour
 * prompt-cache write: a `cache_control` with `ttl: "1h"` on a tool, a system
 * block, a message's content block or a block inside a `tool_result` (what
 * Claude Code sends with `ENABLE_PROMPT_CACHING_1H=1`). Such a request may be
 * charged the 1-hour write rate for its whole prompt, so its budget escrow
 * is priced at that rate. Pure.
 *
 * @param body The request body (parsed).
 * @returns `true` when some block asks for the 1-hour cache.
 *
 * @example
 * ```ts
 * import { asksOneHourCache } from "./asks_one_hour_cache.ts";
 * const cached = { type: "text", text: "You are terse.", cache_control: { type: "ephemeral", ttl: "1h" } };
 * console.assert(asksOneHourCache({ system: [cached], messages: [] }));
 * console.assert(!asksOneHourCache({ system: "You are terse.", messages: [] }));
 * ```
 */
export function asksOneHourCache(body: Record<string, unknown>): boolean {
  if (_anyBlock(body.tools) || _anyBlock(body.system)) return true;
  if (!Array.isArray(body.messages)) return false;
  return body.messages.some((m) =>
    m !== null && typeof m === "object" && _anyBlock((m as { content?: unknown }).content)
  );
}

/** Whether a block list has a block (or a `tool_result`'s inner block) asking for the 1-hour cache. */
function _anyBlock(blocks: unknown): boolean {
  if (!Array.isArray(blocks)) return false;
  return blocks.some((block) => {
    if (block === null || typeof block !== "object") return false;
    const b = block as { cache_control?: { ttl?: unknown } | null; content?: unknown };
    if (b.cache_control?.ttl === "1h") return true;
    return Array.isArray(b.content) &&
      b.content.some((inner) =>
        (inner as { cache_control?: { ttl?: unknown } | null } | null)?.cache_control?.ttl === "1h"
      );
  });
}
