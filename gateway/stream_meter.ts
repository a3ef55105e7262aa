import type { TokenUsage } from "./usage.ts";

const DELTA = new TextEncoder().encode('{"type":"content_block_delta"');
const MESSAGE_DELTA = new TextEncoder().encode('{"type":"message_delta"');
/** Bytes of a delta event's JSON around its text (`{"type":"content_block_delta","index":0,...}`). */
const DELTA_OVERHEAD = 80;
/** Claude averages 3.5–4 bytes of English or code per token: 3 errs high, like the input estimate. */
const BYTES_PER_TOKEN = 3;

/**
 * Estimates the output tokens of a stream that ends before Bedrock's final
 * `message_delta` (client abort, mid-stream error, the gateway dying), when
 * the reported output count is still `message_start`'s. Bedrock bills the
 * tokens generated until the cut, and reports none of them. The estimate is
 * one token per 3 bytes of delta text, and at least one per content delta;
 * it errs high like the input estimate. Only the first bytes of each chunk
 * are compared: nothing is parsed.
 *
 * @example
 * ```ts
 * import { StreamMeter } from "./stream_meter.ts";
 * const meter = new StreamMeter();
 * const text = "x".repeat(30);
 * meter.read(new TextEncoder().encode(
 *   `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}`,
 * ));
 * const reported = { inputTokens: 5, outputTokens: 1, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
 * console.assert(meter.usage(reported).outputTokens >= 10);
 * console.assert(meter.estimated(reported));
 * ```
 */
export class StreamMeter {
  #deltas = 0;
  #textBytes = 0;
  #final = false;

  /** Reads one upstream chunk (one Anthropic event JSON). */
  read(chunk: Uint8Array): void {
    if (_startsWith(chunk, DELTA)) {
      this.#deltas++;
      if (chunk.length > DELTA_OVERHEAD) this.#textBytes += chunk.length - DELTA_OVERHEAD;
    } else if (_startsWith(chunk, MESSAGE_DELTA)) {
      this.#final = true;
    }
  }

  /**
   * The usage to charge and record: as reported once the final
   * `message_delta` was seen; before that, the reported output count or the
   * estimate, whichever is higher, but never more than `maxOutput` (the
   * request's `max_tokens`).
   */
  usage(reported: TokenUsage, maxOutput = Infinity): TokenUsage {
    const output = this.#output(reported, maxOutput);
    return output === reported.outputTokens ? reported : { ...reported, outputTokens: output };
  }

  /** Whether {@linkcode StreamMeter.usage} replaces the reported output count by the estimate. */
  estimated(reported: TokenUsage, maxOutput = Infinity): boolean {
    return this.#output(reported, maxOutput) !== reported.outputTokens;
  }

  #output(reported: TokenUsage, maxOutput: number): number {
    if (this.#final) return reported.outputTokens;
    const estimate = Math.max(this.#deltas, Math.ceil(this.#textBytes / BYTES_PER_TOKEN));
    return Math.max(reported.outputTokens, Math.min(estimate, maxOutput));
  }
}

function _startsWith(chunk: Uint8Array, prefix: Uint8Array): boolean {
  if (chunk.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (chunk[i] !== prefix[i]) return false;
  return true;
}
