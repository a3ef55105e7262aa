import { assertEquals } from "../testing/assert.ts";
import { OpenAiChunker } from "./openai_chunker.ts";
import recorded from "./testdata/openai_stream_chunks.json" with { type: "json" };

Deno.test("OpenAiChunker.push() turns the recorded Anthropic events into the recorded chunks", () => {
  const chunker = new OpenAiChunker({
    model: "claude-sonnet-4-5",
    created: 1764000000,
    includeUsage: true,
  });
  const chunks = recorded.events.flatMap((e) => chunker.push(e as Record<string, unknown>));
  assertEquals(chunks as unknown, recorded.chunks as unknown);
});

Deno.test("OpenAiChunker.push() sends no usage chunk unless asked and skips thinking", () => {
  const chunker = new OpenAiChunker({ model: "m", created: 0 });
  assertEquals(chunker.push({ type: "message_start", message: { id: "x" } }).length, 1);
  assertEquals(
    chunker.push({
      type: "content_block_delta",
      index: 0,
      delta: { type: "thinking_delta", thinking: "hmm" },
    }),
    [],
  );
  const [last] = chunker.push({
    type: "message_delta",
    delta: { stop_reason: "max_tokens" },
    usage: { output_tokens: 5 },
  });
  assertEquals(last?.choices[0]?.finish_reason, "length");
  assertEquals("usage" in last!, false);
  assertEquals(chunker.push({ type: "message_stop" }), []);
});
