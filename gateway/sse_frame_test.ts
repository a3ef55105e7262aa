import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { UpstreamError } from "./errors.ts";
import { sseErrorFrame, SseFramer, ssePingFrame } from "./sse_frame.ts";
import recorded from "./testdata/bedrock_stream_chunks.json" with { type: "json" };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const frameText = (framer: SseFramer, chunk: string) =>
  decoder.decode(framer.frame(encoder.encode(chunk)));

Deno.test("SseFramer.frame() frames a recorded Bedrock stream event by event", () => {
  const framer = new SseFramer();
  const frames = recorded.chunks.map((c) => frameText(framer, c));
  for (let i = 0; i < frames.length - 1; i++) {
    const type = JSON.parse(recorded.chunks[i]!).type;
    assertEquals(frames[i], `event: ${type}\ndata: ${recorded.chunks[i]}\n\n`, `chunk ${i}`);
  }
  assertEquals(frames.at(-1), 'event: message_stop\ndata: {"type":"message_stop"}\n\n');
  assertEquals(framer.usage, {
    inputTokens: 12,
    outputTokens: 27,
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 20480,
  });
  assertEquals(framer.bedrockMetrics?.outputTokenCount, 27);
});

Deno.test("SseFramer.frame() puts back the requested model name in message_start", () => {
  const framer = new SseFramer({ model: "claude-opus-4-8" });
  const start = recorded.chunks[0]!.replace(
    '"model":"claude-opus-4-8"',
    '"model":"anthropic.claude-opus-4-8"',
  );
  assertEquals(frameText(framer, start), `event: message_start\ndata: ${recorded.chunks[0]}\n\n`);
});

Deno.test("SseFramer.frame() copies large deltas without parsing them", () => {
  const framer = new SseFramer();
  const text = "x".repeat(100_000);
  const chunk =
    `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}`;
  const original = JSON.parse;
  let parsed = 0;
  try {
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      parsed++;
      return original(...args);
    }) as typeof JSON.parse;
    assertEquals(frameText(framer, chunk), `event: content_block_delta\ndata: ${chunk}\n\n`);
  } finally {
    JSON.parse = original;
  }
  assertEquals(parsed, 0);
});

Deno.test("SseFramer.frame() falls back to parsing when the chunk is not compact", () => {
  const framer = new SseFramer();
  assertEquals(
    frameText(framer, '{ "type": "ping" }'),
    'event: ping\ndata: { "type": "ping" }\n\n',
  );
  assertEquals(
    frameText(framer, '{"type":"content_block_stop",\n"index":0}'),
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  );
  assertEquals(
    frameText(framer, '{"index":0,"type":"content_block_stop"}'),
    'event: content_block_stop\ndata: {"index":0,"type":"content_block_stop"}\n\n',
  );
});

Deno.test("SseFramer.frame() rejects chunks that are not events", () => {
  const framer = new SseFramer();
  for (const chunk of ["", "nope", "[]", '{"type":3}', '{"type":"a\\nb"}', '{"kind":"x"}']) {
    const err = assertThrows(() => frameText(framer, chunk), UpstreamError);
    assertEquals(err.status, 502);
  }
});

Deno.test("sseErrorFrame() writes a final Anthropic error event", () => {
  assertEquals(
    decoder.decode(sseErrorFrame("overloaded_error", "Bedrock is busy", "req_9")),
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Bedrock is busy"},"request_id":"req_9"}\n\n',
  );
});

Deno.test("ssePingFrame() writes a ping event", () => {
  const text = decoder.decode(ssePingFrame());
  assertEquals(text, 'event: ping\ndata: {"type":"ping"}\n\n');
  assert(ssePingFrame() !== ssePingFrame());
});
