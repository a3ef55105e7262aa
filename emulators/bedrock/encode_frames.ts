import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { streamExceptionType } from "./bedrock_exceptions.ts";
import type { AnthropicStreamEvent } from "./types.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const encoder = new TextEncoder();
const PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const CHUNK_HEADERS = {
  ":event-type": { type: "string", value: "chunk" },
  ":content-type": { type: "string", value: "application/json" },
  ":message-type": { type: "string", value: "event" },
} as const;

/** Options of {@linkcode encodeChunkFrame}. */
export interface EncodeChunkOptions {
  /**
   * Add the `"p"` padding field real Bedrock adds to each chunk payload (its
   * length varies with the event so sizes do not leak content). @default true
   */
  padding?: boolean;
}

/**
 * Encodes one Anthropic stream event as a Bedrock `chunk` event-stream frame:
 * headers `:event-type: chunk`, `:content-type: application/json`,
 * `:message-type: event`; payload `{"bytes":"<base64 of the event JSON>","p":"..."}`.
 *
 * @param event The event, or its JSON already encoded as UTF-8.
 * @param options Padding.
 * @returns The frame bytes (prelude, headers, payload, CRCs).
 *
 * @example
 * ```ts
 * import { encodeChunkFrame } from "./encode_frames.ts";
 * const frame = encodeChunkFrame({ type: "message_stop" });
 * if (frame.byteLength < 16) throw new Error("unexpected");
 * ```
 */
export function encodeChunkFrame(
  event: AnthropicStreamEvent | Uint8Array,
  options: EncodeChunkOptions = {},
): Uint8Array {
  const json = event instanceof Uint8Array ? event : encoder.encode(JSON.stringify(event));
  const padding = options.padding ?? true;
  const payload = padding
    ? `{"bytes":"${json.toBase64()}","p":"${PAD.slice(0, 1 + (json.byteLength % PAD.length))}"}`
    : `{"bytes":"${json.toBase64()}"}`;
  return codec.encode({ headers: CHUNK_HEADERS, body: encoder.encode(payload) });
}

/**
 * Encodes a mid-stream exception frame: headers `:message-type: exception`,
 * `:exception-type: <lowerCamel name>` (the `ResponseStream` union member the
 * SDK matches), `:content-type: application/json`; payload `{"message":"..."}`.
 *
 * @param name Exception name, e.g. `ModelStreamErrorException`.
 * @param message The message.
 * @returns The frame bytes.
 *
 * @example
 * ```ts
 * import { encodeExceptionFrame } from "./encode_frames.ts";
 * const frame = encodeExceptionFrame("ModelStreamErrorException", "boom");
 * if (frame.byteLength < 16) throw new Error("unexpected");
 * ```
 */
export function encodeExceptionFrame(name: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "exception" },
      ":exception-type": { type: "string", value: streamExceptionType(name) },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: encoder.encode(JSON.stringify({ message })),
  });
}
