import type { TokenUsage } from "../usage.ts";

const DELTA = new TextEncoder().encode('{"type":"content_block_delta"');
const MESSAGE_DELTA = new TextEncoder().encode('{"type":"message_delta"');
/** Bytes of a delta event's JSON around its text (`{"type":"content_block_delta","index":0,...}`). */
const DELTA_OVERHEAD = 80;
const CHARS_PER_TOKEN = 3;

/**
 * Estimates the output tokens of a stream that ends before Bedrock's final
 * `message_delta` (client abort, mid-stream error), when the reported
 * output count is still `message_start`'s: one token per content delta
 * plus one per 3 bytes of its text, which errs high like the input
 * estimate. Only the first bytes of each chunk are compared; nothing is
 * parsed.
 *
 * @example
 * ```ts
 * import { StreamMeter } from "./stream_meter.ts";
 * const meter = new StreamMeter();
 * const text = "x".repeat(30);
 * meter.read(new TextEncoder().encode(
 *   `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}`,
 * ));
 * const usage = meter.usage({ inputTokens: 5, outputTokens: 1, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 });
 * console.assert(usage.outputTokens >= 10);
 * ```
 */
export class StreamMeter {
  #estimate = 0;
  #final = false;

  /** Reads one upstream chunk (one Anthropic event JSON). */
  read(chunk: Uint8Array): void {
    if (_startsWith(chunk, DELTA)) {
      this.#estimate += 1 + Math.ceil(Math.max(0, chunk.length - DELTA_OVERHEAD) / CHARS_PER_TOKEN);
    } else if (_startsWith(chunk, MESSAGE_DELTA)) {
      this.#final = true;
    }
  }

  /**
   * The usage to charge: as reported once the final `message_delta` was seen;
   * before that, the reported output count or the estimate, whichever is
   * higher, but never more than `maxOutput` (the request's `max_tokens`).
   */
  usage(reported: TokenUsage, maxOutput = Infinity): TokenUsage {
    if (this.#final || this.#estimate <= reported.outputTokens) return reported;
    return {
      ...reported,
      outputTokens: Math.max(reported.outputTokens, Math.min(this.#estimate, maxOutput)),
    };
  }
}

function _startsWith(chunk: Uint8Array, prefix: Uint8Array): boolean {
  if (chunk.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (chunk[i] !== prefix[i]) return false;
  return true;
}
