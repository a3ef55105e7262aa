import { assertEquals } from "../testing/assert.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import { TOOL_SEARCH_BETA } from "./bedrock_compat.ts";
import { withoutToolSearch } from "./without_tool_search.ts";
import toolSearch332 from "./testdata/claude_code_2.1.332_tool_search_request.json" with {
  type: "json",
};
import { parseAnthropicBeta } from "./anthropic_beta.ts";

const decoder = new TextDecoder();

Deno.test("withoutToolSearch() makes of a forwarded body what the conservative translation sends", () => {
  for (const modelId of ["us.anthropic.claude-opus-5-5", "us.anthropic.claude-sonnet-4-6"]) {
    const translate = (toolSearch: boolean) =>
      toBedrockRequest(structuredClone(toolSearch332.body), {
        modelId,
        betas: parseAnthropicBeta(toolSearch332.headers["anthropic-beta"]),
        userId: "u1",
        toolSearch,
      });
    const forwarded = translate(true);
    assertEquals(forwarded.toolSearch, true);
    const dropped: string[] = [];
    const conservative = translate(false);
    assertEquals(
      JSON.parse(decoder.decode(withoutToolSearch(forwarded.body, dropped))),
      JSON.parse(decoder.decode(conservative.body)),
      modelId,
    );
    // What it went without, as the conservative translation names it, but for the positions of
    // messages: those of the body sent (Claude Code's system-role message was merged).
    const named = (entries: string[]) =>
      entries.map((d) => d.replace(/^(\w+:messages\.)\d+/, "$1*"));
    assertEquals(
      named(dropped),
      named(conservative.dropped.filter((d) => !forwarded.dropped.includes(d)))
        .map((d) => d === "beta:advanced-tool-use-2025-11-20" ? `beta:${TOOL_SEARCH_BETA}` : d),
      modelId,
    );
  }
});

Deno.test("withoutToolSearch() keeps the other betas and keys (a native route's guardrail configuration)", () => {
  const body = {
    anthropic_version: "bedrock-2023-05-31",
    anthropic_beta: ["interleaved-thinking-2025-05-14", "tool-search-tool-2025-10-19"],
    max_tokens: 10,
    messages: [{ role: "user", content: "hi" }],
    tools: [
      { type: "tool_search_tool_regex_20251119", name: "tool_search_tool_regex" },
      { name: "Read", input_schema: {}, defer_loading: true },
    ],
    "amazon-bedrock-guardrailConfig": { streamProcessingMode: "sync" },
  };
  const dropped: string[] = [];
  const out = JSON.parse(
    decoder.decode(withoutToolSearch(new TextEncoder().encode(JSON.stringify(body)), dropped)),
  );
  assertEquals(dropped, [
    "beta:tool-search-tool-2025-10-19",
    "tool:tools.0.tool_search_tool_regex",
    "field:tools.1.defer_loading",
  ]);
  assertEquals(out, {
    ...body,
    anthropic_beta: ["interleaved-thinking-2025-05-14"],
    tools: [{ name: "Read", input_schema: {} }],
  });
});
