import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { BedrockEmulatorError } from "./errors.ts";
import { eventsToMessage } from "./events_to_message.ts";
import { messageAnswer } from "./message_answer.ts";
import { textAnswer } from "./text_answer.ts";

Deno.test("eventsToMessage() folds text, thinking and tool_use blocks into one message", () => {
  const events = messageAnswer([
    { type: "thinking", thinking: "Let me see.", signature: "sig" },
    { type: "text", text: "Running it." },
    { type: "tool_use", name: "Bash", input: { command: "ls", n: [1, 2] }, id: "toolu_9" },
  ], { id: "msg_7", model: "claude-x", usage: { input_tokens: 5, output_tokens: 12 } });
  assertEquals(eventsToMessage(events), {
    id: "msg_7",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [
      { type: "thinking", thinking: "Let me see.", signature: "sig" },
      { type: "text", text: "Running it." },
      { type: "tool_use", id: "toolu_9", name: "Bash", input: { command: "ls", n: [1, 2] } },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: {
      input_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 12,
    },
  });
});

Deno.test("eventsToMessage() does not modify the events", () => {
  const events = textAnswer("hi");
  const copy = structuredClone(events);
  eventsToMessage(events);
  assertEquals(events, copy);
});

Deno.test("eventsToMessage() rejects events without message_start", () => {
  const err = assertThrows(
    () => eventsToMessage([{ type: "message_stop" }]),
    BedrockEmulatorError,
    "no message_start",
  );
  assertEquals(err.code, "invalid_event_sequence");
});

Deno.test("eventsToMessage() rejects a delta for a block that was never started", () => {
  const [start] = textAnswer("x");
  assertThrows(
    () =>
      eventsToMessage([start!, {
        type: "content_block_delta",
        index: 3,
        delta: { type: "text_delta", text: "y" },
      }]),
    BedrockEmulatorError,
    "no content block at index 3",
  );
});
