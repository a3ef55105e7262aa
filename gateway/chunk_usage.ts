import { EMPTY_USAGE, readUsage, type TokenUsage } from "./usage.ts";

const decoder = new TextDecoder();
/** `{"type":"message_` */
const MESSAGE = new TextEncoder().encode('{"type":"message_');

/**
 * Reads token usage from the chunks of a Bedrock stream as they pass by:
 * only `message_start` and `message_delta` chunks (small) are parsed;
 * content deltas are recognised by their first bytes and skipped.
 *
 * @example
 * ```ts
 * import { ChunkUsage } from "./chunk_usage.ts";
 * const usage = new ChunkUsage();
 * usage.read(new TextEncoder().encode('{"type":"message_delta","usage":{"output_tokens":7}}'));
 * console.assert(usage.usage.outputTokens === 7);
 * ```
 */
export class ChunkUsage {
  /** Counts so far. */
  usage: TokenUsage = { ...EMPTY_USAGE };

  /**
   * Reads one chunk; anything that is not a readable message event is ignored.
   *
   * @param chunk The chunk's bytes (one Anthropic event JSON).
   */
  read(chunk: Uint8Array): void {
    if (chunk.length < MESSAGE.length) return;
    for (let i = 0; i < MESSAGE.length; i++) if (chunk[i] !== MESSAGE[i]) return;
    let event: { type?: unknown; message?: { usage?: unknown }; usage?: unknown };
    try {
      event = JSON.parse(decoder.decode(chunk));
    } catch {
      return;
    }
    if (event.type === "message_start") this.usage = readUsage(event.message?.usage, this.usage);
    else if (event.type === "message_delta") this.usage = readUsage(event.usage, this.usage);
  }
}
