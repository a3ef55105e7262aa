import { assertEquals } from "../../testing/assert.ts";
import { thinkingAnswer } from "./thinking_answer.ts";

Deno.test("thinkingAnswer() streams thinking, a signature, then the text", () => {
  const events = thinkingAnswer({ thinking: ["Hmm.", " Yes."], signature: "sig", text: ["42"] });
  assertEquals(
    events.flatMap((e) => e.type === "content_block_delta" ? [[e.index, e.delta]] : []),
    [
      [0, { type: "thinking_delta", thinking: "Hmm." }],
      [0, { type: "thinking_delta", thinking: " Yes." }],
      [0, { type: "signature_delta", signature: "sig" }],
      [1, { type: "text_delta", text: "42" }],
    ],
  );
});
