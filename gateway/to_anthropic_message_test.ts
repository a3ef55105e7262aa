import { assertEquals, assertThrows } from "../testing/assert.ts";
import { UpstreamError } from "./errors.ts";
import { toAnthropicMessage } from "./to_anthropic_message.ts";
import recorded from "./testdata/bedrock_invoke_response.json" with { type: "json" };

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

Deno.test("toAnthropicMessage() reports the requested model and extracts usage", () => {
  const out = toAnthropicMessage(encode(recorded.body), { model: "claude-opus-4-8[1m]" });
  assertEquals(out.body, JSON.stringify({ ...recorded.body, model: "claude-opus-4-8[1m]" }));
  assertEquals(out.usage, {
    inputTokens: 9,
    outputTokens: 4,
    cacheReadInputTokens: 20480,
    cacheCreationInputTokens: 0,
  });
});

Deno.test("toAnthropicMessage() keeps Bedrock's body when no model is given, minus invocation metrics", () => {
  const withMetrics = {
    ...recorded.body,
    "amazon-bedrock-invocationMetrics": { inputTokenCount: 9 },
  };
  assertEquals(toAnthropicMessage(encode(withMetrics)).body, JSON.stringify(recorded.body));
});

Deno.test("toAnthropicMessage() throws a 502 UpstreamError on a malformed body", () => {
  for (const bytes of [new TextEncoder().encode("not json"), encode([1]), encode(null)]) {
    const err = assertThrows(() => toAnthropicMessage(bytes), UpstreamError);
    assertEquals([err.status, err.type], [502, "api_error"]);
  }
});
