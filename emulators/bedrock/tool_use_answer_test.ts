import { assertEquals } from "../../testing/assert.ts";
import { toolUseAnswer } from "./tool_use_answer.ts";

Deno.test("toolUseAnswer() streams the input as input_json_delta pieces and stops for tool_use", () => {
  const events = toolUseAnswer({
    name: "Bash",
    input: { command: "ls -la" },
    id: "toolu_1",
    jsonChunkSize: 10,
  });
  assertEquals(events.slice(1, -2), [
    {
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: "toolu_1", name: "Bash", input: {} },
    },
    {
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json: "" },
    },
    {
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json: '{"command"' },
    },
    {
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json: ':"ls -la"}' },
    },
    { type: "content_block_stop", index: 0 },
  ]);
  const delta = events.at(-2);
  assertEquals(delta?.type === "message_delta" && delta.delta.stop_reason, "tool_use");
});

Deno.test("toolUseAnswer() puts the optional text block first", () => {
  const events = toolUseAnswer({ name: "Read", input: {}, text: "Reading." });
  const starts = events.flatMap((e) =>
    e.type === "content_block_start" ? [e.content_block.type] : []
  );
  assertEquals(starts, ["text", "tool_use"]);
});
