import { assert, assertEquals } from "../testing/assert.ts";
import {
  BEDROCK_ALLOWED_BETAS,
  BEDROCK_ANTHROPIC_VERSION,
  BEDROCK_DROPPED_TOOL_FIELDS,
  BEDROCK_REQUEST_FIELDS,
  bedrockAllowedBetas,
  bedrockFamily,
  TOOL_SEARCH_ASKED_BY,
  TOOL_SEARCH_BETA,
  TOOL_SEARCH_TOOL_FIELDS,
  TOOL_SEARCH_TOOL_TYPES,
} from "./bedrock_compat.ts";
import table from "./bedrock_compat.json" with { type: "json" };
import { DEFAULT_MODEL_TABLE } from "./model_map.ts";

Deno.test("bedrockFamily() classifies every default model id", () => {
  const expected: Record<string, string> = {
    "anthropic.claude-fable-5-2": "adaptive",
    "anthropic.claude-haiku-5-5": "adaptive",
    "anthropic.claude-sonnet-5-5": "adaptive",
    "anthropic.claude-opus-5-5": "adaptive",
    "anthropic.claude-fable-5-1": "adaptive",
    "anthropic.claude-opus-5": "adaptive",
    "anthropic.claude-sonnet-5": "adaptive",
    "anthropic.claude-fable-5": "adaptive",
    "anthropic.claude-opus-4-8": "adaptive",
    "anthropic.claude-opus-4-7": "adaptive",
    "anthropic.claude-opus-4-6-v1": "opus-4.6",
    "anthropic.claude-sonnet-4-6": "sonnet-4.6",
    "anthropic.claude-opus-4-5-20251101-v1:0": "opus-4.5",
    "anthropic.claude-sonnet-4-5-20250929-v1:0": "sonnet-4.5",
    "anthropic.claude-haiku-4-5-20251001-v1:0": "haiku-4.5",
    "anthropic.claude-opus-4-1-20250805-v1:0": "opus-4.0",
    "anthropic.claude-opus-4-20250514-v1:0": "opus-4.0",
    "anthropic.claude-sonnet-4-20250514-v1:0": "sonnet-4",
    "anthropic.claude-3-7-sonnet-20250219-v1:0": "claude-3.7",
    "anthropic.claude-3-5-haiku-20241022-v1:0": "claude-3.x",
  };
  for (const entry of Object.values(DEFAULT_MODEL_TABLE)) {
    assertEquals(bedrockFamily(entry.id).id, expected[entry.id], entry.id);
    assertEquals(bedrockFamily(`eu.${entry.id}`).id, expected[entry.id], `eu.${entry.id}`);
  }
});

Deno.test("bedrockFamily() treats future generations as adaptive-only and ARNs as default", () => {
  for (
    const id of [
      "us.anthropic.claude-opus-5",
      "global.anthropic.claude-sonnet-5",
      "anthropic.claude-fable-5-1",
      "us.anthropic.claude-mythos-5-2",
      "anthropic.claude-opus-4-10",
    ]
  ) {
    assertEquals(bedrockFamily(id).id, "adaptive", id);
  }
  assertEquals(
    bedrockFamily("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x").id,
    "default",
  );
  assertEquals(
    bedrockFamily("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x").betas
      .size,
    0,
  );
});

Deno.test("bedrock_compat.json documents every forwarded beta and drops unknown ones", () => {
  for (const family of table.families) {
    for (const beta of family.betas) {
      const decision = table.betas[beta as keyof typeof table.betas];
      assert(decision !== undefined, `${beta} (family ${family.id}) has no documented decision`);
      assertEquals(decision.decision, "pass", beta);
      assert(
        (decision as { families?: string[] }).families!.includes(family.id),
        `${beta} ${family.id}`,
      );
    }
  }
  for (const [beta, decision] of Object.entries(table.betas)) {
    assert(decision.reason.length > 20, `${beta} needs a reason`);
    for (const source of (decision as { sources?: string[] }).sources ?? []) {
      assert(source in table.sources, `${beta}: unknown source ${source}`);
    }
    if (decision.decision === "drop") assert(!BEDROCK_ALLOWED_BETAS.includes(beta), beta);
  }
  assert(!BEDROCK_ALLOWED_BETAS.includes("claude-code-20250219"));
  assert(!BEDROCK_ALLOWED_BETAS.includes("some-future-beta-2027-01-01"));
});

Deno.test("bedrockAllowedBetas() lists the betas of one model for the emulator", () => {
  // Tool search is the only beta Opus 4.7 and later are sent (Claude Code 2.1.332 sends it them).
  assertEquals(bedrockAllowedBetas("us.anthropic.claude-opus-4-8"), [
    "tool-search-tool-2025-10-19",
  ]);
  assertEquals(bedrockAllowedBetas("anthropic.claude-3-7-sonnet-20250219-v1:0"), [
    "computer-use-2025-01-24",
    "output-128k-2025-02-19",
    "token-efficient-tools-2025-02-19",
  ]);
});

Deno.test("bedrock_compat.json forwards tool search to Claude 4 and later only", () => {
  for (const family of table.families) {
    const claude3 = family.id.startsWith("claude-3");
    assertEquals(family.betas.includes(TOOL_SEARCH_BETA), !claude3, family.id);
  }
  assertEquals(table.default.betas, [], "unclassified ids: conservative");
  assertEquals(TOOL_SEARCH_ASKED_BY, [TOOL_SEARCH_BETA, "advanced-tool-use-2025-11-20"]);
  assertEquals(TOOL_SEARCH_TOOL_FIELDS, ["defer_loading"]);
  assertEquals(TOOL_SEARCH_TOOL_TYPES, ["tool_search_tool_"]);
  for (const source of table.toolSearch.sources) assert(source in table.sources, source);
});

Deno.test("bedrock compat constants describe what the emulator should accept", () => {
  assertEquals(BEDROCK_ANTHROPIC_VERSION, "bedrock-2023-05-31");
  assert(!BEDROCK_REQUEST_FIELDS.includes("model") && !BEDROCK_REQUEST_FIELDS.includes("stream"));
  for (
    const f of [
      "anthropic_version",
      "anthropic_beta",
      "max_tokens",
      "messages",
      "system",
      "tools",
      "thinking",
      "metadata",
      "context_management",
      "output_config",
    ]
  ) {
    assert(BEDROCK_REQUEST_FIELDS.includes(f), f);
  }
  assert(BEDROCK_DROPPED_TOOL_FIELDS.includes("defer_loading"));
  assert(BEDROCK_DROPPED_TOOL_FIELDS.includes("input_examples"));
});
