import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { InvalidRequestError } from "./errors.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import claudeCode from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };
import claudeCodeExpected from "./testdata/claude_code_2.1.197_bedrock_request.json" with {
  type: "json",
};
import claudeCode332 from "./testdata/claude_code_2.1.332_messages_request.json" with {
  type: "json",
};
import claudeCode332Expected from "./testdata/claude_code_2.1.332_bedrock_request.json" with {
  type: "json",
};
import toolUse from "./testdata/tool_use_conversation_request.json" with { type: "json" };
import toolUseExpected from "./testdata/tool_use_conversation_bedrock_request.json" with {
  type: "json",
};
import image from "./testdata/image_block_request.json" with { type: "json" };
import imageExpected from "./testdata/image_block_bedrock_request.json" with { type: "json" };
import deferred from "./testdata/deferred_tools_request.json" with { type: "json" };
import deferredExpected from "./testdata/deferred_tools_bedrock_request.json" with {
  type: "json",
};
import thinking from "./testdata/thinking_budget_request.json" with { type: "json" };
import thinkingOpus48 from "./testdata/thinking_budget_opus_4_8_bedrock_request.json" with {
  type: "json",
};
import thinkingOpus45 from "./testdata/thinking_budget_opus_4_5_bedrock_request.json" with {
  type: "json",
};

type Json = Record<string, unknown>;
const decoder = new TextDecoder();
const USER = "entra-oid-0001";

function translate(
  recorded: { headers: Record<string, string>; body: unknown },
  modelId: string,
  toolSearch?: boolean,
) {
  const out = toBedrockRequest(structuredClone(recorded.body), {
    modelId,
    betas: parseAnthropicBeta(recorded.headers["anthropic-beta"]),
    userId: USER,
    toolSearch,
  });
  const text = decoder.decode(out.body);
  return { ...out, text, json: JSON.parse(text) as Json };
}

Deno.test("toBedrockRequest() translates the Claude Code 2.1.197 request for Opus 4.8", () => {
  const out = translate(claudeCode, "us.anthropic.claude-opus-4-8");
  const sent = out.json;
  const original = claudeCode.body as Json;

  assert(out.text.startsWith('{"anthropic_version":"bedrock-2023-05-31",'), "version first");
  assertEquals(out.modelId, "us.anthropic.claude-opus-4-8");
  assertEquals("model" in sent, false);
  assertEquals("stream" in sent, false);
  // Opus 4.8 is adaptive-only: every beta Claude Code sends is dropped, so no anthropic_beta.
  assertEquals("anthropic_beta" in sent, false);
  assertEquals(out.betas, []);
  assertEquals(
    out.dropped.filter((d) => d.startsWith("beta:")),
    claudeCode.headers["anthropic-beta"].split(",").map((b) => `beta:${b}`),
  );
  // System blocks byte-identical and in order.
  assertEquals(JSON.stringify(sent.system), JSON.stringify(original.system));
  // All 24 tools kept byte-identical.
  assertEquals((sent.tools as unknown[]).length, 24);
  assertEquals(JSON.stringify(sent.tools), JSON.stringify(original.tools));
  // Verified identity replaces the client's metadata.
  assertEquals(sent.metadata, { user_id: USER });
  // Fields Opus 4.8 accepts are kept as sent.
  assertEquals(sent.thinking, { type: "adaptive" });
  assertEquals(sent.output_config, { effort: "high" });
  assertEquals(sent.max_tokens, 64000);
  // context_management needs the context-management beta, which Opus 4.8 does not get.
  assertEquals("context_management" in sent, false);
  assert(out.dropped.includes("field:context_management"));
  // The role:system message joins the previous user turn as a <system-reminder> block.
  const messages = sent.messages as { role: string; content: Json[] }[];
  assertEquals(messages.length, 1);
  assertEquals(messages[0]!.role, "user");
  const originalMessages = original.messages as { content: unknown[] }[];
  const originalUser = originalMessages[0]!.content;
  assertEquals(
    JSON.stringify(messages[0]!.content.slice(0, originalUser.length)),
    JSON.stringify(originalUser),
    "the cached prefix of the user turn is unchanged",
  );
  const reminder = messages[0]!.content[originalUser.length]!;
  assertEquals(reminder.type, "text");
  assert((reminder.text as string).startsWith("<system-reminder>\nAvailable agent types"));
  assert((reminder.text as string).endsWith("\n</system-reminder>"));
  assert(out.dropped.includes("rewrite:messages.1.role"));
  // And the whole output matches the recorded fixture.
  assertEquals(out.json, claudeCodeExpected.body);
  assertEquals(out.dropped, claudeCodeExpected.dropped);
});

Deno.test("toBedrockRequest() does not modify its input", () => {
  const body = structuredClone(claudeCode.body);
  const before = JSON.stringify(body);
  toBedrockRequest(body, { modelId: "us.anthropic.claude-opus-4-8", userId: USER });
  assertEquals(JSON.stringify(body), before);
});

Deno.test("toBedrockRequest() keeps a tool_use / tool_result conversation and places system text after the tool results", () => {
  const out = translate(toolUse, toolUse.modelId);
  assertEquals(out.json, toolUseExpected.body);
  assertEquals(out.dropped, toolUseExpected.dropped);
  const messages = out.json.messages as { role: string; content: Json[] }[];
  assertEquals(messages.map((m) => m.role), ["user", "assistant", "user"]);
  assertEquals(messages[2]!.content.map((b) => b.type), ["tool_result", "text", "text"]);
  assertEquals(out.betas, [
    "interleaved-thinking-2025-05-14",
    "fine-grained-tool-streaming-2025-05-14",
  ]);
  // Sonnet 4.5 accepts temperature or top_p, not both.
  assertEquals(out.json.temperature, 1);
  assertEquals("top_p" in out.json, false);
  // cache_control.scope goes with the prompt-caching-scope beta; ttl stays on 4.5.
  assertEquals((out.json.system as Json[])[0]!.cache_control, { type: "ephemeral", ttl: "1h" });
});

Deno.test("toBedrockRequest() strips cache_control.ttl for models before Claude 4.5", () => {
  const out = toBedrockRequest(structuredClone(toolUse.body), {
    modelId: "us.anthropic.claude-sonnet-4-20250514-v1:0",
  });
  const sent = JSON.parse(decoder.decode(out.body));
  assertEquals(sent.system[0].cache_control, { type: "ephemeral" });
  assert(out.dropped.includes("field:system.0.cache_control.ttl"));
  assert(out.dropped.includes("field:metadata"), "no verified identity: client metadata dropped");
  assertEquals("metadata" in sent, false);
});

Deno.test("toBedrockRequest() passes image blocks through untouched", () => {
  const out = translate(image, image.modelId);
  assertEquals(out.json, imageExpected.body);
  assertEquals(out.dropped, ["beta:claude-code-20250219"]);
});

Deno.test("toBedrockRequest() without tool search drops its beta, defer_loading and input_examples", () => {
  const out = translate(deferred, deferred.modelId, false);
  assertEquals(out.json, deferredExpected.body);
  assertEquals(out.dropped, deferredExpected.dropped);
  const tools = out.json.tools as Json[];
  assertEquals(tools.map((t) => t.name), ["Read", "mcp__github__create_issue", "Edit"]);
  assert(tools.every((t) => !("defer_loading" in t) && !("input_examples" in t)));
});

Deno.test("toBedrockRequest() rewrites budget thinking to adaptive for Opus 4.8", () => {
  const out = translate(thinking, "global.anthropic.claude-opus-4-8");
  assertEquals(out.json, thinkingOpus48.body);
  assertEquals(out.json.thinking, { type: "adaptive" });
  assertEquals("temperature" in out.json, false);
});

Deno.test("toBedrockRequest() keeps budget thinking, effort and context management for Opus 4.5", () => {
  const out = translate(thinking, "us.anthropic.claude-opus-4-5-20251101-v1:0");
  assertEquals(out.json, thinkingOpus45.body);
  assertEquals(out.betas, [
    "interleaved-thinking-2025-05-14",
    "effort-2025-11-24",
    "context-management-2025-06-27",
  ]);
});

Deno.test("toBedrockRequest() rewrites adaptive thinking to a budget and drops effort for Sonnet 4.5", () => {
  const out = toBedrockRequest(
    {
      model: "claude-sonnet-4-5",
      max_tokens: 20000,
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
      messages: [{ role: "user", content: "hi" }],
    },
    { modelId: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0" },
  );
  const sent = JSON.parse(decoder.decode(out.body));
  assertEquals(sent.thinking, { type: "enabled", budget_tokens: 19999 });
  assertEquals("output_config" in sent, false);
  assertEquals(out.dropped, [
    "rewrite:thinking.type",
    "field:output_config.effort",
    "field:output_config",
  ]);
});

Deno.test("toBedrockRequest() drops thinking for Claude 3.5 and unknown top-level fields", () => {
  const out = toBedrockRequest(
    {
      model: "claude-3-5-haiku-20241022",
      max_tokens: 100,
      thinking: { type: "enabled", budget_tokens: 50 },
      speed: "fast",
      service_tier: "auto",
      messages: [{ role: "user", content: "hi" }],
    },
    { modelId: "us.anthropic.claude-3-5-haiku-20241022-v1:0" },
  );
  const sent = JSON.parse(decoder.decode(out.body));
  assertEquals(Object.keys(sent), ["anthropic_version", "max_tokens", "messages"]);
  assertEquals(out.dropped, ["field:thinking", "field:speed", "field:service_tier"]);
});

Deno.test("toBedrockRequest() merges header and body betas and forwards none for an unknown ARN", () => {
  const body = {
    max_tokens: 10,
    anthropic_beta: ["context-1m-2025-08-07", "interleaved-thinking-2025-05-14"],
    messages: [{ role: "user", content: "hi" }],
  };
  const sonnet = toBedrockRequest(body, {
    modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    betas: ["interleaved-thinking-2025-05-14", "brand-new-beta-2027-01-01"],
  });
  assertEquals(sonnet.betas, ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"]);
  assertEquals(sonnet.dropped, ["beta:brand-new-beta-2027-01-01"]);
  const arn = toBedrockRequest(body, {
    modelId: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
  });
  assertEquals(arn.betas, []);
});

Deno.test("toBedrockRequest() turns leading and trailing system messages into user turns", () => {
  const out = toBedrockRequest(
    {
      max_tokens: 10,
      messages: [
        {
          role: "system",
          content: [{ type: "text", text: "first", cache_control: { type: "ephemeral" } }],
        },
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
        { role: "system", content: "last" },
      ],
    },
    { modelId: "us.anthropic.claude-opus-4-8" },
  );
  const sent = JSON.parse(decoder.decode(out.body));
  assertEquals(sent.messages, [
    {
      role: "user",
      content: [
        {
          type: "text",
          text: "<system-reminder>\nfirst\n</system-reminder>",
          cache_control: { type: "ephemeral" },
        },
        { type: "text", text: "hi" },
      ],
    },
    { role: "assistant", content: "hello" },
    {
      role: "user",
      content: [{ type: "text", text: "<system-reminder>\nlast\n</system-reminder>" }],
    },
  ]);
});

Deno.test("toBedrockRequest() shares untouched subtrees instead of copying them", () => {
  const messages = [{ role: "user", content: [{ type: "text", text: "hi" }] }];
  const tools = [{ name: "Read", input_schema: { type: "object" } }];
  const seen: unknown[] = [];
  const original = JSON.stringify;
  try {
    JSON.stringify = ((value: unknown, ...rest: []) => {
      seen.push(value);
      return original(value, ...rest);
    }) as typeof JSON.stringify;
    toBedrockRequest({ max_tokens: 1, messages, tools }, { modelId: "x" });
  } finally {
    JSON.stringify = original;
  }
  const sent = seen[0] as Json;
  assert(sent.messages === messages && sent.tools === tools);
});

Deno.test("toBedrockRequest() with the source text sends the same request as without, copying untouched parts", () => {
  const cases = [
    [claudeCode, "us.anthropic.claude-opus-4-8"],
    [claudeCode, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    [toolUse, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    [image, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    [deferred, "us.anthropic.claude-opus-4-5-20251101-v1:0"],
    [thinking, "us.anthropic.claude-opus-4-8"],
    [thinking, "anthropic.claude-3-5-sonnet-20240620-v1:0"],
  ] as const;
  for (const [recorded, modelId] of cases) {
    for (const indent of [undefined, 2]) {
      const text = JSON.stringify(recorded.body, null, indent);
      const options = {
        modelId,
        betas: parseAnthropicBeta(recorded.headers["anthropic-beta"]),
        userId: USER,
      };
      const plain = toBedrockRequest(JSON.parse(text), options);
      const spliced = toBedrockRequest(JSON.parse(text), {
        ...options,
        source: new TextEncoder().encode(text),
      });
      const label = `${modelId}, indent ${indent}`;
      assertEquals(
        JSON.parse(decoder.decode(spliced.body)),
        JSON.parse(decoder.decode(plain.body)),
      );
      assertEquals(
        Object.keys(JSON.parse(decoder.decode(spliced.body))),
        Object.keys(JSON.parse(decoder.decode(plain.body))),
        label,
      );
      assertEquals(spliced.dropped, plain.dropped, label);
      if (indent === undefined) continue;
      // Pretty-printed source: the copied parts keep their whitespace, so the bytes differ.
      assert(spliced.body.byteLength > plain.body.byteLength, label);
    }
  }
});

Deno.test("toBedrockRequest() rejects invalid bodies with a message naming the field", () => {
  const modelId = "us.anthropic.claude-opus-4-8";
  const hi = [{ role: "user", content: "hi" }];
  const cases: [unknown, string][] = [
    [null, "Request body must be a JSON object"],
    [[], "Request body must be a JSON object"],
    [{ messages: [] }, "max_tokens: Field required"],
    [{ max_tokens: "10", messages: [] }, "max_tokens: Input should be a positive integer"],
    [{ max_tokens: 0, messages: [] }, "max_tokens: Input should be a positive integer"],
    [{ max_tokens: 10 }, "messages: Field required"],
    [{ max_tokens: 10, messages: {} }, "messages: Input should be a list"],
    [{ max_tokens: 10, messages: [] }, "messages: at least one message is required"],
    [{ max_tokens: 10, messages: ["hi"] }, "messages.0: Input should be an object"],
    [{ max_tokens: 10, messages: [{ role: "bot", content: "x" }] }, "messages.0.role"],
    [{ max_tokens: 10, messages: [{ role: "user" }] }, "messages.0.content"],
    [
      { max_tokens: 10, messages: [{ role: "user", content: [{ text: "x" }] }] },
      "messages.0.content.0",
    ],
    [
      { max_tokens: 10, messages: [{ role: "system", content: [{ type: "image" }] }] },
      "messages.0.content.0: Input should be a text block",
    ],
    [{ max_tokens: 10, messages: hi, system: 3 }, "system: Input should be a string"],
    [
      { max_tokens: 10, messages: hi, tools: [{}] },
      'tools.0: Input should be a tool with a "name"',
    ],
    [{ max_tokens: 10, messages: hi, thinking: "on" }, "thinking: Input should be an object"],
    [
      { max_tokens: 10, messages: hi, thinking: { type: "enabled" } },
      "thinking.budget_tokens: Field required",
    ],
    [
      { max_tokens: 10, messages: hi, thinking: { type: "enabled", budget_tokens: "x" } },
      "thinking.budget_tokens: Input should be a valid integer",
    ],
    [
      { max_tokens: 10, messages: hi, anthropic_beta: "x" },
      "anthropic_beta: Input should be a list",
    ],
    [
      { max_tokens: 10, messages: hi, output_config: 1 },
      "output_config: Input should be an object",
    ],
  ];
  for (const [body, message] of cases) {
    const err = assertThrows(
      () => toBedrockRequest(body, { modelId }),
      InvalidRequestError,
      message,
    );
    assertEquals(err.code, "invalid_request");
    assertEquals(err.status, 400);
    assertEquals(err.type, "invalid_request_error");
  }
});

Deno.test("toBedrockRequest() refuses a stream flag that is not a boolean", () => {
  const base = { model: "m", max_tokens: 8, messages: [{ role: "user", content: "hi" }] };
  for (const stream of [true, false, null, undefined]) {
    const out = toBedrockRequest({ ...base, stream }, { modelId: "us.anthropic.claude-opus-4-8" });
    assertEquals(JSON.parse(new TextDecoder().decode(out.body)).stream, undefined);
  }
  for (const stream of ["yes", 1, {}]) {
    assertThrows(
      () => toBedrockRequest({ ...base, stream }, { modelId: "us.anthropic.claude-opus-4-8" }),
      InvalidRequestError,
      "stream: Input should be a valid boolean",
    );
  }
});

Deno.test('toBedrockRequest() rewrites thinking.display "updates", whose beta is never forwarded, to "summarized" for Opus 4.7 and later, drops it for older models, and keeps other displays', () => {
  // Left out, Opus 4.7 and later omit the thinking text: stream-json users would see none.
  // Older models summarize by default.
  const cases = [
    ["us.anthropic.claude-opus-5-5", "adaptive", "updates", "summarized", "rewrite"],
    ["us.anthropic.claude-opus-5-5", "adaptive", "omitted", "omitted", undefined],
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "enabled", "updates", undefined, "field"],
  ] as const;
  for (const [modelId, type, display, sent, note] of cases) {
    const out = toBedrockRequest(
      {
        max_tokens: 64,
        thinking: { type, display, ...(type === "enabled" ? { budget_tokens: 32 } : {}) },
        messages: [{ role: "user", content: "Hi" }],
      },
      { modelId, betas: ["thinking-display-updates-2026-08-18"] },
    );
    const body = JSON.parse(new TextDecoder().decode(out.body));
    assertEquals(body.thinking.display, sent, `${modelId} ${display}`);
    assertEquals(
      out.dropped.filter((d) => d.endsWith(":thinking.display")),
      note === undefined ? [] : [`${note}:thinking.display`],
    );
  }
});

Deno.test("toBedrockRequest() translates the Claude Code 2.1.332 request for Opus 5.5 as recorded", () => {
  const out = translate(claudeCode332, "us.anthropic.claude-opus-5-5");
  assertEquals(out.json, claudeCode332Expected.body);
  assertEquals(out.dropped, claudeCode332Expected.dropped);
});
