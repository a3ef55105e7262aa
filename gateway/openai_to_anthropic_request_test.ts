import { assertEquals, assertThrows } from "../testing/assert.ts";
import { InvalidRequestError } from "./errors.ts";
import type { ChatCompletionRequest } from "./openai_schemas.ts";
import { clientMaxTokens, openAiToAnthropicRequest } from "./openai_to_anthropic_request.ts";
import recorded from "./testdata/openai_chat_request.json" with { type: "json" };

Deno.test("openAiToAnthropicRequest() translates the recorded chat request", () => {
  assertEquals(
    openAiToAnthropicRequest(recorded.request as ChatCompletionRequest),
    recorded.anthropic as Record<string, unknown>,
  );
});

Deno.test("openAiToAnthropicRequest() maps tool_choice none and defaults max_tokens", () => {
  const out = openAiToAnthropicRequest({
    model: "m",
    tool_choice: "none",
    tools: [{ type: "function", function: { name: "f" } }],
    messages: [{ role: "user", content: "hi" }],
  });
  assertEquals(out.tool_choice, { type: "none" });
  assertEquals(out.max_tokens, 4096);
  assertEquals(out.tools, [{ name: "f", input_schema: { type: "object", properties: {} } }]);
});

Deno.test("openAiToAnthropicRequest() refuses http image URLs and non-object tool arguments", () => {
  assertThrows(
    () =>
      openAiToAnthropicRequest({
        model: "m",
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }],
        }],
      }),
    InvalidRequestError,
    "messages.0.content.0.image_url.url",
  );
  assertThrows(
    () =>
      openAiToAnthropicRequest({
        model: "m",
        messages: [{
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "[1]" } }],
        }],
      }),
    InvalidRequestError,
    "messages.0.tool_calls.0.function.arguments",
  );
});

Deno.test("clientMaxTokens() is the client's max_completion_tokens or max_tokens, undefined when defaulted", () => {
  const base: ChatCompletionRequest = { model: "m", messages: [{ role: "user", content: "Hi" }] };
  assertEquals(clientMaxTokens(base), undefined);
  assertEquals(clientMaxTokens({ ...base, max_tokens: 100 }), 100);
  assertEquals(clientMaxTokens({ ...base, max_tokens: 100, max_completion_tokens: 200 }), 200);
  assertEquals(openAiToAnthropicRequest({ ...base, max_tokens: 100 }).max_tokens, 100);
});

Deno.test("openAiToAnthropicRequest() leaves blank user turns out, and refuses a blank last one", () => {
  const out = openAiToAnthropicRequest({
    model: "m",
    messages: [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: " " },
      { role: "user", content: "Bye" },
    ],
  });
  assertEquals(out.messages, [
    { role: "user", content: [{ type: "text", text: "Hi" }] },
    { role: "assistant", content: [{ type: "text", text: "Hello" }] },
    { role: "user", content: [{ type: "text", text: "Bye" }] },
  ]);
  assertThrows(
    () =>
      openAiToAnthropicRequest({
        model: "m",
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
          { role: "user", content: [{ type: "text", text: "" }] },
        ],
      }),
    InvalidRequestError,
    "messages.2.content: Input should contain non-whitespace text",
  );
});
