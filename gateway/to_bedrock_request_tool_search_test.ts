import { DEFAULT_ALLOWED_KEYS, validateInvokeBody } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { bedrockAllowedBetas } from "./bedrock_compat.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import toolSearch332 from "./testdata/claude_code_2.1.332_tool_search_request.json" with {
  type: "json",
};
import deferred from "./testdata/deferred_tools_request.json" with { type: "json" };
import deferredExpected from "./testdata/deferred_tools_bedrock_request.json" with {
  type: "json",
};

type Json = Record<string, unknown>;
const BETA = "tool-search-tool-2025-10-19";

function translate(
  recorded: { headers: Record<string, string>; body: unknown },
  modelId: string,
  options: { toolSearch?: boolean; betas?: string[] } = {},
) {
  const out = toBedrockRequest(structuredClone(recorded.body), {
    modelId,
    betas: options.betas ?? parseAnthropicBeta(recorded.headers["anthropic-beta"]),
    userId: "entra-oid-0001",
    toolSearch: options.toolSearch,
  });
  return { ...out, json: JSON.parse(new TextDecoder().decode(out.body)) as Json };
}

/** The contents of the tool_result that answers Claude Code's ToolSearch call. */
function toolReferences(body: Json): unknown {
  const blocks = (body.messages as { content: Json[] | string }[]).flatMap((m) =>
    Array.isArray(m.content) ? m.content : []
  );
  const call = blocks.find((b) => b.type === "tool_use" && b.name === "ToolSearch")!;
  return blocks.find((b) => b.type === "tool_result" && b.tool_use_id === call.id)!.content;
}

Deno.test("toBedrockRequest() forwards Claude Code 2.1.332's tool search to Opus 5.5: the beta, defer_loading, tool_reference", () => {
  const out = translate(toolSearch332, "us.anthropic.claude-opus-5-5");
  // Claude Code asks by the first-party name (advanced-tool-use-2025-11-20) through the gateway.
  assert(!toolSearch332.headers["anthropic-beta"].includes(BETA));
  assertEquals(out.json.anthropic_beta, [BETA]);
  assertEquals(out.betas, [BETA]);
  assert(out.toolSearch);
  assert(out.dropped.includes("rewrite:beta:advanced-tool-use-2025-11-20"));
  const tools = out.json.tools as Json[];
  assertEquals(
    tools.filter((t) => t.defer_loading === true).map((t) => t.name),
    ["NotebookEdit", "WebFetch", "DeferredToolPlaceholder"],
  );
  assert(!out.dropped.some((d) => d.endsWith(".defer_loading")));
  assertEquals(toolReferences(out.json), [
    { type: "tool_reference", tool_name: "WebFetch" },
    { type: "tool_reference", tool_name: "NotebookEdit" },
  ]);
  assert(!out.dropped.some((d) => d.endsWith(".tool_reference")));
});

Deno.test("toBedrockRequest() keeps the conservative translation of the 2.1.332 tool search request for Claude 3.7", () => {
  const out = translate(toolSearch332, "us.anthropic.claude-3-7-sonnet-20250219-v1:0");
  assert(!out.toolSearch);
  assertEquals(out.json.anthropic_beta, undefined);
  assert(out.dropped.includes("beta:advanced-tool-use-2025-11-20"));
  assert((out.json.tools as Json[]).every((t) => !("defer_loading" in t)));
  assertEquals(toolReferences(out.json), [
    { type: "text", text: "Tool WebFetch is loaded." },
    { type: "text", text: "Tool NotebookEdit is loaded." },
  ]);
});

Deno.test("toBedrockRequest() with toolSearch: false translates as before tool search was forwarded", () => {
  const forwarded = translate(toolSearch332, "us.anthropic.claude-opus-5-5");
  const conservative = translate(toolSearch332, "us.anthropic.claude-opus-5-5", {
    toolSearch: false,
  });
  assert(!conservative.toolSearch && conservative.json.anthropic_beta === undefined);
  assert((conservative.json.tools as Json[]).every((t) => !("defer_loading" in t)));
  assertEquals((toolReferences(conservative.json) as Json[])[0]!.type, "text");
  // Only tool search differs.
  const { anthropic_beta: _a, tools: _t, messages: _m, ...rest } = forwarded.json;
  const { tools: _t2, messages: _m2, ...conservativeRest } = conservative.json;
  assertEquals(conservativeRest, rest);
  // The deferred-tools recording, as it was always translated.
  const deferredOut = translate(deferred, deferred.modelId, { toolSearch: false });
  assertEquals(deferredOut.json, deferredExpected.body);
});

Deno.test("toBedrockRequest() forwards tool search tools for Sonnet 4.6, asked by both names, and still drops input_examples", () => {
  const out = translate(deferred, "us.anthropic.claude-sonnet-4-6");
  assertEquals(out.json.anthropic_beta, [BETA], "once, though asked by both names");
  const tools = out.json.tools as Json[];
  assertEquals(tools.map((t) => t.name), [
    "tool_search_tool_regex",
    "Read",
    "mcp__github__create_issue",
    "Edit",
  ]);
  assertEquals(tools[2]!.defer_loading, true);
  assert(!("input_examples" in tools[3]!), "tool-examples-2025-10-29 is not forwarded");
  assert(out.dropped.includes("field:tools.3.input_examples"));
});

Deno.test("toBedrockRequest() does not forward tool search the client did not ask for", () => {
  const out = translate(toolSearch332, "us.anthropic.claude-opus-5-5", {
    betas: ["claude-code-20250219"],
  });
  assert(!out.toolSearch);
  assertEquals(out.json.anthropic_beta, undefined);
  assert(out.dropped.includes("field:tools.4.defer_loading"));
  assertEquals((toolReferences(out.json) as Json[])[0]!.type, "text");
});

Deno.test("toBedrockRequest() output with tool search is what the emulator's Bedrock schema check accepts, and without the beta it is not", () => {
  for (
    const modelId of [
      "us.anthropic.claude-opus-5-5",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    ]
  ) {
    const out = translate(toolSearch332, modelId);
    const options = {
      allowedKeys: DEFAULT_ALLOWED_KEYS,
      allowedBetas: bedrockAllowedBetas(modelId),
    };
    const text = new TextDecoder().decode(out.body);
    const result = validateInvokeBody(text, options);
    assert(result.ok, `${modelId}: ${result.ok ? "" : result.message}`);
    if (!out.toolSearch) continue;
    const withoutBeta = JSON.stringify({ ...out.json, anthropic_beta: undefined });
    const refused = validateInvokeBody(withoutBeta, options);
    assert(!refused.ok && refused.message.includes("defer_loading"), modelId);
  }
});
