/**
 * Bedrock's `application/vnd.amazon.eventstream` frames, encoded the way
 * Bedrock sends them, for the Bedrock-native streaming route.
 *
 * @module
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const encoder = new TextEncoder();
const OPEN = encoder.encode('{"bytes":"');
const CLOSE = encoder.encode('"}');

const CHUNK_HEADERS = {
  ":event-type": { type: "string", value: "chunk" },
  ":content-type": { type: "string", value: "application/json" },
  ":message-type": { type: "string", value: "event" },
} as const;

/**
 * One `chunk` event frame: headers `:event-type: chunk`,
 * `:message-type: event`, `:content-type: application/json`, payload
 * `{"bytes":"<base64 of the Anthropic event JSON>"}` — what the AWS SDK's
 * `InvokeModelWithResponseStream` decodes into `chunk.bytes`.
 *
 * @param bytes The chunk's bytes (one Anthropic stream event as JSON).
 * @returns The frame (prelude, headers, payload, CRCs).
 *
 * @example
 * ```ts
 * import { bedrockChunkFrame } from "./bedrock_event_frames.ts";
 * const frame = bedrockChunkFrame(new TextEncoder().encode('{"type":"message_stop"}'));
 * console.assert(frame.byteLength > 16);
 * ```
 */
export function bedrockChunkFrame(bytes: Uint8Array): Uint8Array {
  const base64 = encoder.encode(bytes.toBase64());
  const body = new Uint8Array(OPEN.length + base64.length + CLOSE.length);
  body.set(OPEN, 0);
  body.set(base64, OPEN.length);
  body.set(CLOSE, OPEN.length + base64.length);
  return codec.encode({ headers: CHUNK_HEADERS, body });
}

/**
 * A mid-stream exception frame: `:message-type: exception`,
 * `:exception-type: <member>` (e.g. `modelStreamErrorException`),
 * payload `{"message":"..."}` — the AWS SDK throws it as that exception.
 *
 * @param streamType The `ResponseStream` member, lower camel case.
 * @param message The message.
 * @returns The frame.
 *
 * @example
 * ```ts
 * import { bedrockExceptionFrame } from "./bedrock_event_frames.ts";
 * console.assert(bedrockExceptionFrame("throttlingException", "slow down").byteLength > 16);
 * ```
 */
export function bedrockExceptionFrame(streamType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "exception" },
      ":exception-type": { type: "string", value: streamType },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: encoder.encode(JSON.stringify({ message })),
  });
}
