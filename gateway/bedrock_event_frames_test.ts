import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { encodeChunkFrame } from "@ccgate/emulators";
import { assertEquals } from "../testing/assert.ts";
import { bedrockChunkFrame, bedrockExceptionFrame } from "./bedrock_event_frames.ts";
import recorded from "./testdata/bedrock_stream_chunks.json" with { type: "json" };

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const encoder = new TextEncoder();

Deno.test("bedrockChunkFrame() encodes each recorded chunk exactly as the Bedrock emulator does", () => {
  for (const chunk of recorded.chunks) {
    const bytes = encoder.encode(chunk);
    assertEquals(bedrockChunkFrame(bytes), encodeChunkFrame(bytes, { padding: false }));
    const decoded = codec.decode(bedrockChunkFrame(bytes));
    assertEquals(decoded.headers[":event-type"]?.value, "chunk");
    const payload = JSON.parse(new TextDecoder().decode(decoded.body));
    assertEquals(new TextDecoder().decode(Uint8Array.fromBase64(payload.bytes)), chunk);
  }
});

Deno.test("bedrockExceptionFrame() encodes an exception message frame", () => {
  const decoded = codec.decode(bedrockExceptionFrame("throttlingException", "slow down"));
  assertEquals(decoded.headers[":message-type"]?.value, "exception");
  assertEquals(decoded.headers[":exception-type"]?.value, "throttlingException");
  assertEquals(JSON.parse(new TextDecoder().decode(decoded.body)), { message: "slow down" });
});
