import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function withImage(source: Record<string, unknown>) {
  return {
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "one more" },
      {
        role: "user",
        content: [{ type: "text", text: "what is this?" }, { type: "image", source }],
      },
    ],
  };
}

Deno.test("POST /v1/messages refuses what Bedrock cannot do with 400 in Anthropic's shape, before Bedrock", async () => {
  await using stack = await startGatewayStack();
  const refused: [Record<string, unknown>, string][] = [
    [
      withImage({ type: "url", url: "http://169.254.169.254/latest/meta-data/" }),
      "messages.3.content.1.source: Bedrock does not fetch URLs, nor does this gateway; send the image as base64",
    ],
    [
      { mcp_servers: [{ type: "url", url: "https://mcp.example.com/sse", name: "example" }] },
      "mcp_servers: the MCP connector is Anthropic-hosted and not available on Bedrock",
    ],
    [{ inference_geo: "us" }, 'inference_geo: only "global" can be honoured through this gateway'],
  ];
  for (const [overrides, message] of refused) {
    const response = await postMessages(stack.url, stack.token, overrides);
    assertEquals(response.status, 400, message);
    const body = await response.json();
    assertEquals(body.type, "error");
    assertEquals(body.error.type, "invalid_request_error");
    assertStringIncludes(body.error.message, message);
    assert(typeof body.request_id === "string", "Anthropic's request_id");
  }
  assertEquals(stack.emulator.requests.length, 0, "Bedrock received nothing");

  // What asks for nothing Bedrock lacks still goes through.
  const response = await postMessages(stack.url, stack.token, {
    ...withImage({ type: "base64", media_type: "image/png", data: PNG }),
    mcp_servers: [],
    inference_geo: "global",
  });
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("x-ccgate-dropped"), "field:mcp_servers, field:inference_geo");
  await response.body?.cancel();
  const [received] = stack.emulator.requests;
  const sent = received?.json as { messages: { content: { source?: unknown }[] }[] };
  assertEquals(sent.messages[3]!.content[1]!.source, {
    type: "base64",
    media_type: "image/png",
    data: PNG,
  });
});

Deno.test("POST /v1/messages refuses tool-result clearing on Opus 5.5 in the words Claude Code retries on, and forwards it with its beta on Sonnet 4.5", async () => {
  await using stack = await startGatewayStack();
  const clearToolUses = {
    edits: [
      { type: "clear_thinking_20251015", keep: "all" },
      { type: "clear_tool_uses_20250919", trigger: { type: "tool_uses", value: 30 } },
    ],
  };
  const refused = await postMessages(stack.url, stack.token, {
    model: "claude-opus-5-5",
    context_management: clearToolUses,
  });
  assertEquals(refused.status, 400);
  const body = await refused.json();
  assertEquals(body.error.type, "invalid_request_error");
  // Claude Code 2.1.332's own check (from its binary).
  assert(
    /^\S{1,128} does not support the \W?clear_tool_uses_20250919\W? context management strategy/
      .test(body.error.message),
    body.error.message,
  );
  assertEquals(stack.emulator.requests.length, 0, "Bedrock received nothing");

  // Claude Code's retry without the edit goes through.
  const retried = await postMessages(stack.url, stack.token, {
    model: "claude-opus-5-5",
    context_management: { edits: [clearToolUses.edits[0]] },
  });
  assertEquals(retried.status, 200);
  await retried.body?.cancel();
  assertEquals("context_management" in (stack.emulator.requests[0]?.json as object), false);

  // A family with context editing gets it, with the beta Bedrock needs for it, asked for or not.
  const forwarded = await postMessages(stack.url, stack.token, {
    context_management: clearToolUses,
  });
  assertEquals(forwarded.status, 200);
  await forwarded.body?.cancel();
  const sent = stack.emulator.requests[1]?.json as Record<string, unknown>;
  assertEquals(sent.context_management, clearToolUses);
  assertEquals(sent.anthropic_beta, ["context-management-2025-06-27"]);
});
