import Anthropic from "@anthropic-ai/sdk";
import {
  answerScript,
  errorScript,
  textAnswer,
  thinkingAnswer,
  toolUseAnswer,
} from "@ccgate/emulators";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import {
  bedrockBodiesHeldWhileStreaming,
  parseHeldWhilePending,
} from "../testing/held_by_route.ts";

const USAGE = {
  input_tokens: 1200,
  output_tokens: 42,
  cache_read_input_tokens: 9000,
  cache_creation_input_tokens: 300,
};

function sdk(url: string, apiKey: string) {
  return new Anthropic({ baseURL: url, apiKey, maxRetries: 0 });
}

Deno.test("POST /v1/messages streams a text answer with usage through the Anthropic SDK", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer(["Hello", " from", " Bedrock"], { usage: USAGE }));
  const stream = sdk(stack.url, stack.token).messages.stream({
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 256,
    system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: "Say hello" }],
  });
  const deltas: string[] = [];
  stream.on("text", (text) => deltas.push(text));
  const message = await stream.finalMessage();
  assertEquals(deltas, ["Hello", " from", " Bedrock"]);
  assertEquals(message.content.map((b) => b.type === "text" ? b.text : b.type), [
    "Hello from Bedrock",
  ]);
  assertEquals(message.model, "claude-sonnet-4-5-20250929");
  assertEquals(message.usage.input_tokens, 1200);
  assertEquals(message.usage.output_tokens, 42);
  assertEquals(message.usage.cache_read_input_tokens, 9000);
  assertEquals(message.usage.cache_creation_input_tokens, 300);

  const [received] = stack.emulator.requests;
  assert(received);
  assertEquals(received.operation, "InvokeModelWithResponseStream");
  assertEquals(received.modelId, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
  assert(received.signed, "the AWS SDK signs with SigV4");
  const body = received.json as Record<string, unknown>;
  assertEquals(body.anthropic_version, "bedrock-2023-05-31");
  assertEquals("model" in body, false);
  assertEquals("stream" in body, false);
  assertEquals(
    (body.metadata as { user_id: string }).user_id,
    "00000000-0000-0000-0000-00000000a11c",
  );
  const record = stack.logs.find((r) => r.msg === "messages");
  assertEquals(record?.outcome, "completed");
});

Deno.test("POST /v1/messages streams a tool_use answer built from input_json_delta", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    toolUseAnswer({
      name: "get_weather",
      input: { city: "Paris", days: [1, 2, 3] },
      jsonChunkSize: 5,
    }),
  );
  const message = await sdk(stack.url, stack.token).messages.stream({
    model: "claude-haiku-4-5",
    max_tokens: 256,
    tools: [{
      name: "get_weather",
      description: "Weather",
      input_schema: { type: "object", properties: { city: { type: "string" } } },
    }],
    messages: [{ role: "user", content: "Weather in Paris?" }],
  }).finalMessage();
  assertEquals(message.stop_reason, "tool_use");
  const block = message.content[0];
  assert(block?.type === "tool_use");
  assertEquals(block.name, "get_weather");
  assertEquals(block.input, { city: "Paris", days: [1, 2, 3] });
});

Deno.test("POST /v1/messages streams thinking blocks with their signature", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    thinkingAnswer({ thinking: ["Let me ", "think."], text: "42", signature: "sig-1" }),
  );
  const message = await sdk(stack.url, stack.token).messages.stream({
    model: "claude-sonnet-4-5",
    max_tokens: 2048,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: [{ role: "user", content: "Answer?" }],
  }).finalMessage();
  assertEquals(message.content[0], {
    type: "thinking",
    thinking: "Let me think.",
    signature: "sig-1",
  });
  assertEquals(message.content[1]?.type, "text");
});

Deno.test("POST /v1/messages answers non-streamed requests with usage", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("Plain answer", { usage: USAGE }));
  const message = await sdk(stack.url, stack.token).messages.create({
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 64,
    messages: [{ role: "user", content: "Hi" }],
  });
  assertEquals(message.content.map((b) => b.type === "text" ? b.text : b.type), ["Plain answer"]);
  assertEquals(message.model, "claude-sonnet-4-5-20250929");
  assertEquals(message.usage.cache_read_input_tokens, 9000);
  assertEquals(stack.emulator.requests[0]?.operation, "InvokeModel");
});

Deno.test("POST /v1/messages carries a long conversation (past 128 KiB, read chunk by chunk) to Bedrock unchanged", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(textAnswer("Long answer", { usage: USAGE }));
  const history = [
    { role: "user" as const, content: "é€ ".repeat(60_000) },
    {
      role: "assistant" as const,
      content: [{ type: "text" as const, text: 'x"y\\'.repeat(20_000) }],
    },
    { role: "user" as const, content: "And now?" },
  ];
  const stream = sdk(stack.url, stack.token).messages.stream({
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 64,
    system: "Be brief.",
    messages: history,
  });
  const message = await stream.finalMessage();
  assertEquals(message.content.map((b) => b.type === "text" ? b.text : b.type), ["Long answer"]);
  const sent = stack.emulator.requests[0]?.json as { messages: unknown; system: unknown };
  assertEquals(sent.messages, history);
  assertEquals(sent.system, "Be brief.");
  assert(JSON.stringify(history).length > 128 * 1024);
});

Deno.test("POST /v1/messages?beta=true filters beta flags to what Bedrock accepts", async () => {
  await using stack = await startGatewayStack();
  const response = await fetch(`${stack.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${stack.token}`,
      "x-api-key": stack.token,
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "anthropic-beta":
        "claude-code-20250219,interleaved-thinking-2025-05-14,made-up-flag-2099-01-01",
    },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 32,
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  assertEquals(response.status, 200);
  const dropped = response.headers.get("x-ccgate-dropped") ?? "";
  assertStringIncludes(dropped, "beta:claude-code-20250219");
  assertStringIncludes(dropped, "beta:made-up-flag-2099-01-01");
  const body = await response.json();
  assertEquals(body.type, "message");
  const sent = stack.emulator.requests[0]?.json as { anthropic_beta?: string[] };
  assertEquals(sent.anthropic_beta, ["interleaved-thinking-2025-05-14"]);
});

const ERROR_CASES = [
  { exception: "ThrottlingException", status: 429, type: "rate_limit_error", retryAfter: true },
  { exception: "ServiceUnavailableException", status: 529, type: "overloaded_error" },
  { exception: "ModelNotReadyException", status: 529, type: "overloaded_error" },
  { exception: "AccessDeniedException", status: 403, type: "permission_error" },
  { exception: "ModelTimeoutException", status: 504, type: "timeout_error" },
] as const;

for (const c of ERROR_CASES) {
  Deno.test(`POST /v1/messages maps Bedrock ${c.exception} to ${c.status} ${c.type}`, async () => {
    await using stack = await startGatewayStack();
    stack.emulator.enqueue(errorScript(c.exception, { message: `emulated ${c.exception}` }));
    const response = await postMessages(stack.url, stack.token, { stream: true });
    assertEquals(response.status, c.status);
    const body = await response.json();
    assertEquals(body.type, "error");
    assertEquals(body.error.type, c.type);
    assertEquals(typeof body.request_id, "string");
    if ("retryAfter" in c) assert(/^\d+$/.test(response.headers.get("retry-after") ?? ""));
  });
}

Deno.test("POST /v1/messages passes Bedrock's ValidationException message verbatim", async () => {
  await using stack = await startGatewayStack();
  const wording = "prompt is too long: 215000 tokens > 200000 maximum";
  stack.emulator.enqueue(errorScript("ValidationException", { message: wording }));
  const response = await postMessages(stack.url, stack.token, { stream: false });
  assertEquals(response.status, 400);
  const body = await response.json();
  assertEquals(body.error, { type: "invalid_request_error", message: wording });
  assertEquals(response.headers.get("x-should-retry"), "false");
});

Deno.test("POST /v1/messages turns a mid-stream Bedrock exception into a final event: error", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    answerScript(textAnswer(["one", " two", " three"]), {
      failAfter: { events: 3, exception: "ModelStreamErrorException", message: "emulated failure" },
    }),
  );
  const response = await postMessages(stack.url, stack.token, { stream: true });
  assertEquals(response.status, 200);
  const text = await response.text();
  const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  assertEquals(events, ["message_start", "content_block_start", "content_block_delta", "error"]);
  const last = text.trimEnd().split("\n").at(-1)!;
  const error = JSON.parse(last.slice("data: ".length));
  assertEquals(error.type, "error");
  assertEquals(typeof error.error.type, "string");
  assertEquals(stack.logs.find((r) => r.msg === "messages")?.outcome, "upstream_error");
});

Deno.test("POST /v1/messages surfaces a mid-stream error to the Anthropic SDK as an error", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(
    answerScript(textAnswer(["partial"]), {
      failAfter: { events: 2, exception: "ThrottlingException" },
    }),
  );
  await assertRejects(
    () =>
      sdk(stack.url, stack.token).messages.stream({
        model: "claude-sonnet-4-5",
        max_tokens: 32,
        messages: [{ role: "user", content: "Hi" }],
      }).finalMessage(),
    Error,
  );
});

Deno.test("POST /v1/messages aborts the Bedrock call when the client disconnects", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(answerScript(textAnswer(["first"]), { hangAfter: 2 }));
  const controller = new AbortController();
  const response = await postMessages(stack.url, stack.token, { stream: true }, controller.signal);
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  const [upstream] = await stack.emulator.waitForRequests(1);
  assertEquals(await upstream!.closed, "aborted");
});

Deno.test("POST /v1/messages sends event: ping while the upstream is silent", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_PING_INTERVAL_MS: "20" } });
  stack.emulator.enqueue(answerScript(textAnswer(["first"]), { hangAfter: 2 }));
  const controller = new AbortController();
  const response = await postMessages(stack.url, stack.token, { stream: true }, controller.signal);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("event: ping\n")) {
    const { value, done } = await reader.read();
    assert(!done, "stream ended before a ping");
    seen += value;
  }
  assertStringIncludes(seen, 'data: {"type":"ping"}');
  controller.abort();
  await reader.cancel().catch(() => {});
});

Deno.test("POST /v1/messages refuses an unknown model with 404 naming it, before Bedrock", async () => {
  await using stack = await startGatewayStack();
  const response = await postMessages(stack.url, stack.token, { model: "gpt-4o" });
  assertEquals(response.status, 404);
  const body = await response.json();
  assertEquals(body.error.type, "not_found_error");
  assertStringIncludes(body.error.message, "gpt-4o");
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("POST /v1/messages refuses malformed bodies with 400, never 500", async () => {
  await using stack = await startGatewayStack();
  for (const body of ["{not json", "[]", '"x"', JSON.stringify({ model: "claude-sonnet-4-5" })]) {
    const response = await fetch(`${stack.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      body,
    });
    assertEquals(response.status, 400, body);
    assertEquals((await response.json()).error.type, "invalid_request_error");
  }
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("POST /v1/messages refuses a body over the limit with 413", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MAX_BODY_BYTES: "1024" } });
  const response = await postMessages(stack.url, stack.token, { padding: "x".repeat(4096) });
  assertEquals(response.status, 413);
  assertEquals((await response.json()).error.type, "request_too_large");
});

Deno.test("GET /healthz and an unknown route answer in Anthropic's shape", async () => {
  await using stack = await startGatewayStack();
  const health = await fetch(`${stack.url}/healthz`);
  assertEquals(await health.json(), { status: "ok" });
  const head = await fetch(`${stack.url}/`, { method: "HEAD" });
  assertEquals(head.status, 200);
  await head.body?.cancel();
  const missing = await fetch(`${stack.url}/v1/nothing`);
  assertEquals(missing.status, 404);
  assertEquals((await missing.json()).error.type, "not_found_error");
});

Deno.test("POST /v1/messages maps a new claude-* name by the fallback rule, or 404s when it is off", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_MODEL_PREFIX: "eu" },
    emulator: { models: (id) => id.startsWith("eu.anthropic.") },
  });
  const mapped = await postMessages(stack.url, stack.token, { model: "claude-sonnet-9" });
  assertEquals(mapped.status, 200);
  await mapped.body?.cancel();
  assertEquals(stack.emulator.requests[0]?.modelId, "eu.anthropic.claude-sonnet-9");

  await using strict = await startGatewayStack({ env: { CCGATE_MODEL_FALLBACK: "off" } });
  const refused = await postMessages(strict.url, strict.token, { model: "claude-sonnet-9" });
  assertEquals(refused.status, 404);
  assertStringIncludes((await refused.json()).error.message, "claude-sonnet-9");
});

for (const stream of [true, false]) {
  Deno.test(`POST /v1/messages (stream: ${stream}) no longer holds the parsed request while Bedrock has not answered`, async () => {
    await using stack = await startGatewayStack();
    // In the client's `metadata`, which the gateway parses and replaces with the verified user.
    const held = await parseHeldWhilePending(stack, "/v1/messages", (marker) => ({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 32,
      stream,
      metadata: { user_id: marker },
      messages: [{ role: "user", content: "Hi" }],
    }));
    assertEquals(held, false);
  });
}

Deno.test("POST /v1/messages: an open stream no longer holds the Bedrock request body", async () => {
  await using stack = await startGatewayStack();
  const held = await bedrockBodiesHeldWhileStreaming(stack, "/v1/messages", {
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 32,
    stream: true,
    messages: [{ role: "user", content: "x".repeat(123_457) }],
  });
  assertEquals(held, 0);
});
