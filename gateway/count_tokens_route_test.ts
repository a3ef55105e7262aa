import Anthropic from "@anthropic-ai/sdk";
import { countInputTokens } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { TOKEN_COUNT_HEADER } from "./count_tokens_route.ts";
import { estimateInputTokens } from "./estimate_input_tokens.ts";

const REQUEST = {
  model: "claude-sonnet-4-5-20250929",
  system: "You are terse.",
  tools: [{ name: "Read", description: "Read a file", input_schema: { type: "object" as const } }],
  messages: [{ role: "user" as const, content: "How many tokens is this?" }],
};

function sdk(url: string, apiKey: string) {
  return new Anthropic({ baseURL: url, apiKey, maxRetries: 0 });
}

Deno.test("POST /v1/messages/count_tokens counts through Bedrock CountTokens with the Anthropic SDK", async () => {
  await using stack = await startGatewayStack();
  const { data, response } = await sdk(stack.url, stack.token).messages.countTokens(REQUEST)
    .withResponse();
  const [sent] = stack.emulator.requests;
  assertEquals(sent?.operation, "CountTokens");
  // CountTokens takes the foundation model id, not the us. profile the gateway invokes.
  assertEquals(sent?.modelId, "anthropic.claude-sonnet-4-5-20250929-v1:0");
  const invokeBody = JSON.parse(
    new TextDecoder().decode(
      Uint8Array.fromBase64(
        (sent?.json as { input: { invokeModel: { body: string } } }).input
          .invokeModel.body,
      ),
    ),
  );
  assertEquals(invokeBody.system, REQUEST.system);
  assertEquals(invokeBody.tools, REQUEST.tools);
  assertEquals(invokeBody.anthropic_version, "bedrock-2023-05-31");
  assertEquals(data.input_tokens, countInputTokens(invokeBody));
  assertEquals(response.headers.get(TOKEN_COUNT_HEADER), "bedrock");
  assertEquals(
    stack.metrics.value("ccgate_count_tokens_estimated_total", {
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    }),
    0,
  );
});

Deno.test("POST /v1/messages/count_tokens answers a flagged estimate when the model cannot count, and stops asking", async () => {
  await using stack = await startGatewayStack({
    emulator: { countTokensUnsupported: ["anthropic.claude-sonnet-4-6"] },
  });
  const request = { ...REQUEST, model: "claude-sonnet-4-6" };
  const client = sdk(stack.url, stack.token);
  const first = await client.messages.countTokens(request).withResponse();
  const second = await client.messages.countTokens(request).withResponse();
  assertEquals(first.response.headers.get(TOKEN_COUNT_HEADER), "estimated");
  assertEquals(second.response.headers.get(TOKEN_COUNT_HEADER), "estimated");
  assertEquals(first.data.input_tokens, estimateInputTokens(request));
  assert(
    first.data.input_tokens > countInputTokens(request),
    "the estimate errs high against the emulator's count",
  );
  assertEquals(stack.emulator.requests.length, 1, "the unsupported model is asked only once");
  assertEquals(
    stack.metrics.value("ccgate_count_tokens_estimated_total", {
      model: "us.anthropic.claude-sonnet-4-6",
    }),
    2,
  );
  const record = stack.logs.find((r) => r.msg === "count_tokens");
  assertEquals(record?.source, "estimated");
  assert(!stack.logLines.some((l) => l.includes("How many tokens")), "no prompt text in logs");
});

Deno.test("POST /v1/messages/count_tokens answers 400 in Anthropic's shape for a bad body", async () => {
  await using stack = await startGatewayStack();
  for (
    const [body, message] of [
      [{ messages: [] }, "model: Field required"],
      [
        { model: "claude-sonnet-4-5", messages: [{ role: "robot", content: "x" }] },
        "messages.0.role",
      ],
      [{ model: "claude-sonnet-4-5", messages: "hi" }, "messages: Invalid input"],
    ] as const
  ) {
    const res = await fetch(`${stack.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assertEquals(res.status, 400);
    const json = await res.json();
    assertEquals(json.type, "error");
    assertEquals(json.error.type, "invalid_request_error");
    assert(json.error.message.startsWith(message), json.error.message);
  }
  assertEquals(stack.emulator.requests.length, 0);
});

Deno.test("POST /v1/messages/count_tokens answers 404 for a model the deployment does not offer", async () => {
  await using stack = await startGatewayStack();
  const res = await fetch(`${stack.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({ ...REQUEST, model: "no-such-model" }),
  });
  assertEquals(res.status, 404);
  assertEquals((await res.json()).error.type, "not_found_error");
});

Deno.test("POST /v1/messages/count_tokens counts a request whose context editing the model cannot apply, without it", async () => {
  await using stack = await startGatewayStack();
  const response = await fetch(`${stack.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      ...REQUEST,
      model: "claude-opus-5-5",
      context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
    }),
  });
  assertEquals(response.status, 200);
  assert(typeof (await response.json()).input_tokens === "number");
  assertEquals(response.headers.get("x-ccgate-dropped"), "field:context_management");
});
