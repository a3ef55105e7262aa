import { assertEquals } from "../../testing/assert.ts";
import { messageAnswer } from "./message_answer.ts";

Deno.test("messageAnswer() honours an explicit stop reason and stop sequence", () => {
  const events = messageAnswer([{ type: "text", text: "a" }], {
    stopReason: "stop_sequence",
    stopSequence: "END",
  });
  assertEquals(events.at(-2), {
    type: "message_delta",
    delta: { stop_reason: "stop_sequence", stop_sequence: "END" },
    usage: { output_tokens: 1 },
  });
});
