import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { assert, assertEquals } from "../../testing/assert.ts";
import { encodeChunkFrame, encodeExceptionFrame } from "./encode_frames.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function headersOf(frame: Uint8Array): Record<string, unknown> {
  const message = codec.decode(frame);
  return Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.value]));
}

Deno.test("encodeChunkFrame() writes a Bedrock chunk frame carrying the event as base64 JSON", () => {
  const event = {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: "é!" },
  } as const;
  const frame = encodeChunkFrame(event);
  assertEquals(headersOf(frame), {
    ":event-type": "chunk",
    ":content-type": "application/json",
    ":message-type": "event",
  });
  const payload = JSON.parse(new TextDecoder().decode(codec.decode(frame).body));
  assertEquals(Object.keys(payload), ["bytes", "p"]);
  assert(/^[a-zA-Z0-9]+$/.test(payload.p), "padding is alphanumeric");
  const json = new TextDecoder().decode(Uint8Array.fromBase64(payload.bytes));
  assertEquals(JSON.parse(json), event);
});

Deno.test("encodeChunkFrame() leaves the padding out when asked and accepts pre-encoded JSON", () => {
  const json = new TextEncoder().encode('{"type":"message_stop"}');
  const frame = encodeChunkFrame(json, { padding: false });
  const payload = JSON.parse(new TextDecoder().decode(codec.decode(frame).body));
  assertEquals(payload, { bytes: json.toBase64() });
});

Deno.test("encodeExceptionFrame() writes an exception frame named like the ResponseStream member", () => {
  const frame = encodeExceptionFrame("ModelStreamErrorException", "boom");
  assertEquals(headersOf(frame), {
    ":message-type": "exception",
    ":exception-type": "modelStreamErrorException",
    ":content-type": "application/json",
  });
  assertEquals(JSON.parse(new TextDecoder().decode(codec.decode(frame).body)), { message: "boom" });
});
