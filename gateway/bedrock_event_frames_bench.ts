import { bedrockChunkFrame } from "./bedrock_event_frames.ts";

const encoder = new TextEncoder();
const delta = encoder.encode(
  '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, this is a typical token chunk "}}',
);
const big = encoder.encode(
  `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":${
    JSON.stringify("x".repeat(4096))
  }}}`,
);

Deno.bench("bedrockChunkFrame() re-encodes a ~120-byte text delta", () => {
  bedrockChunkFrame(delta);
});

Deno.bench("bedrockChunkFrame() re-encodes a 4 KiB tool-input delta", () => {
  bedrockChunkFrame(big);
});
