import { assertEquals } from "../testing/assert.ts";
import { toOpenAiCompletion } from "./to_openai_completion.ts";
import recorded from "./testdata/bedrock_invoke_response.json" with { type: "json" };

Deno.test("toOpenAiCompletion() turns the recorded Bedrock answer into a chat.completion", () => {
  assertEquals(toOpenAiCompletion(recorded.body, { model: "claude-opus-4-8", created: 7 }), {
    id: "chatcmpl-msg_bdrk_02",
    object: "chat.completion",
    created: 7,
    model: "claude-opus-4-8",
    choices: [{
      index: 0,
      message: { role: "assistant", content: "Hi!" },
      finish_reason: "stop",
      logprobs: null,
    }],
    usage: { prompt_tokens: 20489, completion_tokens: 4, total_tokens: 20493 },
  });
});

Deno.test("toOpenAiCompletion() turns tool_use blocks into tool_calls with null content", () => {
  const out = toOpenAiCompletion({
    id: "m",
    content: [{ type: "tool_use", id: "t1", name: "f", input: { a: 1 } }],
    stop_reason: "tool_use",
    usage: { input_tokens: 1, output_tokens: 2 },
  }, { model: "x", created: 0 });
  const choice = (out.choices as { message: Record<string, unknown>; finish_reason: string }[])[0]!;
  assertEquals(choice.message, {
    role: "assistant",
    content: null,
    tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
  });
  assertEquals(choice.finish_reason, "tool_calls");
});
