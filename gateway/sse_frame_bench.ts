import { SseFramer } from "./sse_frame.ts";

const encoder = new TextEncoder();
const framer = new SseFramer({ model: "claude-opus-4-8" });
const delta = encoder.encode(
  '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello! How can I help you today?"}}',
);
const big = encoder.encode(
  `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"${
    "x".repeat(16_000)
  }"}}`,
);
const messageDelta = encoder.encode(
  '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":27}}',
);

Deno.bench("SseFramer.frame() typical text delta", () => {
  framer.frame(delta);
});

Deno.bench("SseFramer.frame() 16 KB delta", () => {
  framer.frame(big);
});

Deno.bench("SseFramer.frame() message_delta (parsed for usage)", () => {
  framer.frame(messageDelta);
});
