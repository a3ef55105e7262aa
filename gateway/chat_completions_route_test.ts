import OpenAI from "openai";
import { answerScript, messageAnswer, textAnswer, toolUseAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import {
  bedrockBodiesHeldWhileStreaming,
  parseHeldWhilePending,
} from "../testing/held_by_route.ts";

const TOOLS = [{
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}];

function sdk(url: string, apiKey: string) {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
}

Deno.test("the OpenAI SDK streams a chat completion with a tool call through the gateway", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(toolUseAnswer(
    {
      text: "Checking.",
      name: "get_weather",
      input: { city: "Oslo" },
      id: "toolu_1",
      jsonChunkSize: 5,
    },
    { usage: { input_tokens: 30, output_tokens: 12 } },
  ));
  const stream = await sdk(stack.url, stack.token).chat.completions.create({
    model: "claude-sonnet-4-5",
    stream: true,
    stream_options: { include_usage: true },
    tools: TOOLS,
    messages: [{ role: "system", content: "Be brief." }, {
      role: "user",
      content: "Weather in Oslo?",
    }],
  });
  let text = "";
  let name = "";
  let args = "";
  let id = "";
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined | null;
  for await (const chunk of stream) {
    assertEquals(chunk.model, "claude-sonnet-4-5");
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    text += choice.delta.content ?? "";
    for (const call of choice.delta.tool_calls ?? []) {
      assertEquals(call.index, 0);
      id ||= call.id ?? "";
      name += call.function?.name ?? "";
      args += call.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  assertEquals(text, "Checking.");
  assertEquals(id, "toolu_1");
  assertEquals(name, "get_weather");
  assertEquals(JSON.parse(args), { city: "Oslo" });
  assertEquals(finish, "tool_calls");
  assertEquals(usage, { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 });

  const sent = stack.emulator.requests[0]!.json as Record<string, unknown>;
  assertEquals(sent.system, "Be brief.");
  assertEquals(sent.tools, [{
    name: "get_weather",
    description: "Weather for a city",
    input_schema: TOOLS[0]!.function.parameters,
  }]);
  assertEquals(stack.logs.find((r) => r.msg === "chat_completions")?.outcome, "completed");
});

Deno.test("the OpenAI SDK completes a tool round trip without streaming", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    textAnswer("It is sunny.", { usage: { input_tokens: 50, output_tokens: 4 } }),
  );
  const completion = await sdk(stack.url, stack.token).chat.completions.create({
    model: "claude-haiku-4-5",
    tools: TOOLS,
    messages: [
      { role: "user", content: "Weather in Oslo?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
        }],
      },
      { role: "tool", tool_call_id: "call_1", content: "sunny, 21C" },
    ],
  });
  assertEquals(completion.choices[0]?.message.content, "It is sunny.");
  assertEquals(completion.choices[0]?.finish_reason, "stop");
  assertEquals(completion.usage?.total_tokens, 54);
  const sent = stack.emulator.requests[0]!.json as { messages: unknown[] };
  assertEquals(sent.messages.slice(1), [
    {
      role: "assistant",
      content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Oslo" } }],
    },
    {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "call_1", content: "sunny, 21C" }],
    },
  ]);
});

Deno.test("POST /v1/chat/completions answers bad input and bad tokens in OpenAI's error shape", async () => {
  await using stack = await startGatewayStack();
  const client = sdk(stack.url, stack.token);
  const err = await assertRejects(
    () => client.chat.completions.create({ model: "claude-sonnet-4-5", messages: [], n: 1 }),
    OpenAI.BadRequestError,
  );
  assertEquals(err.status, 400);
  assertEquals((err.error as { type: string }).type, "invalid_request_error");
  assert(err.message.includes("messages"), err.message);
  await assertRejects(
    () => sdk(stack.url, "nope").chat.completions.create({ model: "m", messages: [] }),
    OpenAI.AuthenticationError,
  );
  const raw = await fetch(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: "{not json",
  });
  assertEquals(raw.status, 400);
  const body = await raw.json();
  assertEquals(Object.keys(body), ["error"]);
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("POST /v1/chat/completions ends a stream that fails mid-way with an error event", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(answerScript(textAnswer("one two three four"), {
    failAfter: { events: 3, exception: "ThrottlingException" },
  }));
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      stream: true,
      messages: [{ role: "user", content: "count" }],
    }),
  });
  assertEquals(res.status, 200);
  const text = await res.text();
  const events = text.trim().split("\n\n").map((e) => e.replace(/^data: /, ""));
  assert(!events.includes("[DONE]"), "a failed stream does not claim completion");
  const last = JSON.parse(events.at(-1)!);
  assertEquals(last.error.type, "requests");
  assertEquals(last.error.code, "rate_limit_exceeded");
});

Deno.test("POST /v1/chat/completions no longer holds the parsed request while Bedrock has not answered", async () => {
  await using stack = await startGatewayStack();
  // In OpenAI's `user`, which the gateway parses and does not forward.
  const held = await parseHeldWhilePending(stack, "/v1/chat/completions", (marker) => ({
    model: "claude-sonnet-4-5",
    stream: true,
    user: marker,
    messages: [{ role: "user", content: "Hi" }],
  }));
  assertEquals(held, false);
});

Deno.test("POST /v1/chat/completions: an open stream no longer holds the Bedrock request body", async () => {
  await using stack = await startGatewayStack();
  const held = await bedrockBodiesHeldWhileStreaming(stack, "/v1/chat/completions", {
    model: "claude-sonnet-4-5",
    stream: true,
    messages: [{ role: "user", content: "x".repeat(123_457) }],
  });
  assertEquals(held, 0);
});

Deno.test("POST /v1/chat/completions takes null optional fields as absent, as OpenAI does", async () => {
  // The OpenAI Python SDK sends a `None` argument as null (`max_tokens=None`), and so do other clients.
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("ok"));
  const completion = await sdk(stack.url, stack.token).chat.completions.create({
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: null,
    max_completion_tokens: null,
    temperature: null,
    top_p: null,
    stop: null,
    n: null,
    tools: null,
    tool_choice: null,
    parallel_tool_calls: null,
    response_format: null,
    stream_options: null,
    stream: null,
    user: null,
  } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
  assertEquals(completion.choices[0]?.message.content, "ok");
  const sent = stack.emulator.requests[0]!.json as Record<string, unknown>;
  assertEquals(sent.max_tokens, 64_000, "Sonnet 4.5's maximum output");
  for (const key of ["temperature", "top_p", "stop_sequences", "tools", "tool_choice"]) {
    assertEquals(key in sent, false, key);
  }
});

Deno.test("the OpenAI SDK's stream helper gets several tool calls of one turn, one without arguments as {}", async () => {
  await using stack = await startGatewayStack();
  // A tool without input streams only an empty input_json_delta on Bedrock.
  const events = messageAnswer([
    { type: "tool_use", name: "get_time", input: {}, id: "toolu_t" },
    {
      type: "tool_use",
      name: "get_weather",
      input: { city: "Oslo" },
      id: "toolu_w",
      jsonChunkSize: 4,
    },
  ]).filter((e) =>
    !(e.type === "content_block_delta" && e.index === 0 && e.delta.type === "input_json_delta" &&
      e.delta.partial_json !== "")
  );
  stack.emulator.enqueue(answerScript(events));
  const stream = sdk(stack.url, stack.token).chat.completions.stream({
    model: "claude-sonnet-4-5",
    tools: [...TOOLS, { type: "function", function: { name: "get_time" } }],
    messages: [{ role: "user", content: "Time, and weather in Oslo?" }],
  });
  const completion = await stream.finalChatCompletion();
  const calls = completion.choices[0]!.message.tool_calls!.map((call) => {
    assert(call.type === "function");
    return [call.id, call.function.name, JSON.parse(call.function.arguments)];
  });
  assertEquals(calls, [["toolu_t", "get_time", {}], ["toolu_w", "get_weather", { city: "Oslo" }]]);
  assertEquals(completion.choices[0]!.finish_reason, "tool_calls");
});

Deno.test("POST /v1/chat/completions sends Bedrock what OpenAI takes and Anthropic refuses as written", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("ok"));
  await sdk(stack.url, stack.token).chat.completions.create({
    model: "claude-sonnet-4-5",
    stop: ["\n", "END"],
    tools: [
      { type: "function", function: { name: "now", parameters: {} } },
      { type: "function", function: { name: "f", parameters: { properties: { a: {} } } } },
    ],
    messages: [
      { role: "system", content: "" },
      {
        role: "user",
        content: [
          { type: "text", text: "" },
          { type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQ" } },
        ],
      },
      {
        role: "assistant",
        content: " ",
        tool_calls: [{
          id: "functions.now:0",
          type: "function",
          function: { name: "now", arguments: "{}" },
        }],
      },
      { role: "tool", tool_call_id: "functions.now:0", content: "noon" },
    ],
  });
  const sent = stack.emulator.requests[0]!.json as Record<string, unknown>;
  // No blank stop sequences; input_schema must be an object schema; no empty or blank text
  // blocks; image/jpeg; tool ids matching ^[a-zA-Z0-9_-]+$.
  assertEquals(sent.stop_sequences, ["END"]);
  assertEquals(sent.tools, [
    { name: "now", input_schema: { type: "object", properties: {} } },
    { name: "f", input_schema: { type: "object", properties: { a: {} } } },
  ]);
  assertEquals("system" in sent, false);
  assertEquals(sent.messages, [
    {
      role: "user",
      content: [{
        type: "image",
        source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" },
      }],
    },
    {
      role: "assistant",
      content: [{ type: "tool_use", id: "functions_now_0", name: "now", input: {} }],
    },
    {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "functions_now_0", content: "noon" }],
    },
  ]);
});
