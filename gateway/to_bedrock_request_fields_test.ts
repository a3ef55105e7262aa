import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { InvalidRequestError, RequestTooLargeError } from "./errors.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";

type Json = Record<string, unknown>;
const decoder = new TextDecoder();

Deno.test("toBedrockRequest() applies the requested model's rules to an application inference profile ARN", () => {
  const body = {
    model: "claude-opus-4-5-20251101",
    max_tokens: 10,
    output_config: { effort: "high" },
    messages: [{ role: "user", content: "hi" }],
  };
  const out = toBedrockRequest(body, {
    modelId: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    betas: ["effort-2025-11-24", "claude-code-20250219"],
  });
  // Opus 4.5 needs the effort beta beside output_config.effort on Bedrock.
  assertEquals(out.betas, ["effort-2025-11-24"]);
  const sonnet4 = toBedrockRequest({ ...body, model: "claude-sonnet-4-20250514" }, {
    modelId: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
  });
  // Sonnet 4 rejects output_config.effort.
  assertEquals(JSON.parse(decoder.decode(sonnet4.body)).output_config, undefined);
});

Deno.test("toBedrockRequest() refuses a tool_choice naming a tool Bedrock does not run, and a request whose every tool is hosted", () => {
  const body = {
    max_tokens: 10,
    tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 8 }],
    tool_choice: { type: "tool", name: "web_search" },
    messages: [{ role: "user", content: "search" }],
  };
  const modelId = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const err = assertThrows(() => toBedrockRequest(body, { modelId }), InvalidRequestError);
  assert(err.message.startsWith('tool_choice.name: "web_search" is an Anthropic-hosted tool'));
  assertThrows(
    () => toBedrockRequest({ ...body, tool_choice: { type: "any" } }, { modelId }),
    InvalidRequestError,
  );
  // Claude Code's WebSearch tool sends web_search alone, tool_choice auto: answered without it,
  // the model's memory came back to Claude Code as "Web search results".
  const { tool_choice: _choice, ...noChoice } = body;
  for (const choice of [{ tool_choice: { type: "auto" } }, {}]) {
    assertThrows(
      () => toBedrockRequest({ ...noChoice, ...choice }, { modelId }),
      InvalidRequestError,
      "tools: every tool of the request is Anthropic-hosted (web_search)",
    );
  }
  const none = toBedrockRequest({ ...body, tool_choice: { type: "none" } }, { modelId });
  const sent = JSON.parse(decoder.decode(none.body)) as Json;
  assertEquals([sent.tools, sent.tool_choice], [undefined, undefined]);
  assertEquals(none.dropped, ["tool:tools.0.web_search", "field:tool_choice"]);
  const mixed = toBedrockRequest({
    ...body,
    tools: [...body.tools, { name: "Bash", input_schema: { type: "object" } }],
    tool_choice: { type: "auto" },
  }, { modelId });
  assertEquals(mixed.dropped, ["tool:tools.0.web_search"]);
  const kept = toBedrockRequest({
    ...body,
    tools: [...body.tools, { name: "Bash", input_schema: { type: "object" } }],
    tool_choice: { type: "tool", name: "Bash" },
  }, { modelId });
  assertEquals((JSON.parse(decoder.decode(kept.body)) as Json).tool_choice, {
    type: "tool",
    name: "Bash",
  });
});

Deno.test("toBedrockRequest() moves output_format to output_config.format", () => {
  const format = { type: "json_schema", schema: { type: "object" } };
  const modelId = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const out = toBedrockRequest({
    max_tokens: 10,
    output_format: format,
    messages: [{ role: "user", content: "hi" }],
  }, { modelId });
  assertEquals((JSON.parse(decoder.decode(out.body)) as Json).output_config, { format });
  assertEquals(out.dropped, ["rewrite:output_format"]);
  assertThrows(
    () =>
      toBedrockRequest({
        max_tokens: 10,
        output_format: format,
        output_config: { format },
        messages: [{ role: "user", content: "hi" }],
      }, { modelId }),
    InvalidRequestError,
    "not both",
  );
});

Deno.test("toBedrockRequest() refuses a body over Bedrock's 25,000,000 bytes with 413", () => {
  const body = {
    max_tokens: 10,
    messages: [{ role: "user", content: "x".repeat(25_000_000) }],
  };
  const err = assertThrows(
    () => toBedrockRequest(body, { modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" }),
    RequestTooLargeError,
  );
  assertEquals(err.status, 413);
});

Deno.test("toBedrockRequest() refuses an image given by URL, naming the block", () => {
  const messages = [
    { role: "user", content: "hi" },
    { role: "assistant", content: "hello" },
    { role: "system", content: "a reminder" },
    { role: "user", content: "look" },
    {
      role: "user",
      content: [{ type: "text", text: "this one" }, {
        type: "image",
        source: { type: "url", url: "http://10.0.0.1/admin.png" },
      }],
    },
  ];
  const err = assertThrows(
    () =>
      toBedrockRequest({ max_tokens: 10, messages }, {
        modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      }),
    InvalidRequestError,
  );
  // The client's own index, not the one after the system message joined a user turn.
  assert(err.message.startsWith("messages.4.content.1.source: Bedrock does not fetch URLs"));
  assert(err.message.includes("send the image as base64"), err.message);
});

Deno.test("toBedrockRequest() refuses mcp_servers and inference_geo when dropping them would change the answer", () => {
  const modelId = "us.anthropic.claude-opus-4-8";
  const body = { max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
  assertThrows(
    () =>
      toBedrockRequest({
        ...body,
        mcp_servers: [{ type: "url", url: "https://mcp.example.com/sse", name: "example" }],
      }, { modelId, betas: ["mcp-client-2025-04-04"] }),
    InvalidRequestError,
    "mcp_servers: the MCP connector is Anthropic-hosted",
  );
  assertThrows(
    () => toBedrockRequest({ ...body, inference_geo: "us" }, { modelId }),
    InvalidRequestError,
    'inference_geo: only "global" can be honoured',
  );
  // Asking for nothing: dropped as before, and named in x-ccgate-dropped.
  const out = toBedrockRequest({ ...body, mcp_servers: [], inference_geo: "global" }, { modelId });
  const sent = JSON.parse(decoder.decode(out.body)) as Json;
  assertEquals([sent.mcp_servers, sent.inference_geo], [undefined, undefined]);
  assertEquals(out.dropped, ["field:mcp_servers", "field:inference_geo"]);
});
