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
