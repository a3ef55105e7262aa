import { assertEquals } from "../../testing/assert.ts";
import { textAnswer } from "./text_answer.ts";

const START_USAGE = {
  input_tokens: 10,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 1,
};

function start(model = "claude-emulated", usage = START_USAGE) {
  return {
    type: "message_start" as const,
    message: {
      id: "msg_bdrk_emulated",
      type: "message" as const,
      role: "assistant" as const,
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  };
}

Deno.test("textAnswer() streams a string word by word", () => {
  assertEquals(textAnswer("Hello big world"), [
    start(),
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello " } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "big " } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "world" } },
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 4 },
    },
    { type: "message_stop" },
  ]);
});

Deno.test("textAnswer() streams chosen chunks and reports the usage it is given", () => {
  const events = textAnswer(["Hel", "lo"], {
    id: "msg_1",
    model: "claude-x",
    usage: {
      input_tokens: 3,
      output_tokens: 9,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 7,
    },
  });
  assertEquals(events[0], {
    type: "message_start",
    message: {
      ...start("claude-x").message,
      id: "msg_1",
      usage: {
        input_tokens: 3,
        cache_creation_input_tokens: 7,
        cache_read_input_tokens: 100,
        output_tokens: 1,
      },
    },
  });
  assertEquals(
    events.filter((e) => e.type === "content_block_delta").map((e) => e.delta),
    [{ type: "text_delta", text: "Hel" }, { type: "text_delta", text: "lo" }],
  );
  assertEquals(events.at(-2), {
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: 9 },
  });
});
