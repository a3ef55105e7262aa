import { assert, assertEquals } from "../../testing/assert.ts";
import { countInputTokens } from "./count_input_tokens.ts";
import { defaultAnswer, TOOL_USE_MARKER } from "./default_answer.ts";
import { eventsToMessage } from "./events_to_message.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

Deno.test("defaultAnswer() echoes the first 80 characters of the last user text", () => {
  const long = "x".repeat(100);
  const message = eventsToMessage(defaultAnswer({
    messages: [
      { role: "user", content: "first" },
      { role: "assistant", content: "ok" },
      { role: "user", content: [{ type: "text", text: long }] },
    ],
  }, MODEL));
  assertEquals(message.content, [{ type: "text", text: `Emulated answer to: ${"x".repeat(80)}` }]);
  assertEquals(message.model, "claude-sonnet-4-5-20250929");
});

Deno.test("defaultAnswer() answers tool results with text, ending the turn the marker started", () => {
  const tools = [{ name: "Agent", input_schema: { type: "object" } }];
  const message = eventsToMessage(defaultAnswer({
    messages: [
      { role: "user", content: `run it ${TOOL_USE_MARKER}` },
      { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Agent", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "r" }] },
    ],
    tools,
  }, MODEL));
  // Calling the tool again here made Claude Code loop until killed (2,785 requests a minute).
  assertEquals(message.stop_reason, "end_turn");
  assertEquals(message.content, [{ type: "text", text: "Emulated answer to the tool results." }]);
});

Deno.test("defaultAnswer() skips user turns that only carry tool results when looking for the question", () => {
  const message = eventsToMessage(defaultAnswer({
    messages: [
      { role: "user", content: "question" },
      { role: "assistant", content: [{ type: "tool_use", id: "t", name: "X", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "r" }] },
      { role: "assistant", content: "done" },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "u", content: "r" }, {
          type: "text",
          text: "<system-reminder>x</system-reminder>",
        }],
      },
      { role: "assistant", content: "ok" },
    ],
  }, MODEL));
  assertEquals(message.content, [{ type: "text", text: "Emulated answer to: question" }]);
});

Deno.test("defaultAnswer() calls the first tool when the marker is present", () => {
  const message = eventsToMessage(defaultAnswer({
    messages: [{ role: "user", content: `please ${TOOL_USE_MARKER}` }],
    tools: [{ name: "Bash", input_schema: { type: "object" } }],
  }, MODEL));
  assertEquals(message.stop_reason, "tool_use");
  assertEquals(message.content, [{
    type: "tool_use",
    id: "toolu_emulated_0",
    name: "Bash",
    input: {},
  }]);
});

Deno.test("defaultAnswer() skips Claude Code's <system-reminder> blocks", () => {
  const events = defaultAnswer({
    messages: [{
      role: "user",
      content: [
        { type: "text", text: "<system-reminder>\ncontext\n</system-reminder>\n" },
        { type: "text", text: "What is 2+2?" },
      ],
    }],
  }, "us.anthropic.claude-opus-4-8");
  const message = eventsToMessage(events);
  assertEquals(message.content, [{ type: "text", text: "Emulated answer to: What is 2+2?" }]);
});

Deno.test("defaultAnswer() reports the prompt as CountTokens counts it, tools included", () => {
  const body = {
    system: "You are terse.",
    messages: [{ role: "user", content: "Hello" }],
    tools: [{ name: "Read", description: "Reads a file", input_schema: { type: "object" } }],
  };
  const start = defaultAnswer(body, MODEL)[0];
  if (start?.type !== "message_start") throw new Error("no message_start");
  assertEquals(start.message.usage.input_tokens, countInputTokens(body));
  const withoutTools = defaultAnswer({ ...body, tools: [] }, MODEL)[0];
  if (withoutTools?.type !== "message_start") throw new Error("no message_start");
  assert(start.message.usage.input_tokens > withoutTools.message.usage.input_tokens);
});

Deno.test("defaultAnswer() reports the prompt its cache_control breakpoints cover as cache writes, by lifetime", () => {
  const body = {
    system: [{
      type: "text",
      text: "x".repeat(10_000),
      cache_control: { type: "ephemeral", ttl: "1h" },
    }],
    messages: [{ role: "user", content: "Hello" }],
  };
  const usage = eventsToMessage(defaultAnswer(body, MODEL)).usage;
  const written = usage.cache_creation_input_tokens!;
  assert(written > 2_500, `written: ${written}`);
  assertEquals(usage.cache_creation, {
    ephemeral_5m_input_tokens: 0,
    ephemeral_1h_input_tokens: written,
  });
  assertEquals(
    usage.input_tokens + written,
    countInputTokens(body),
    "the whole prompt, as CountTokens counts it",
  );
  const plain = eventsToMessage(defaultAnswer({ messages: body.messages }, MODEL)).usage;
  assertEquals([plain.cache_creation_input_tokens, "cache_creation" in plain], [0, false]);
});
