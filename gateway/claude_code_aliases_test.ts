import { assertEquals } from "../testing/assert.ts";
import { claudeCodeAliases } from "./claude_code_aliases.ts";
import { DEFAULT_MODEL_TABLE, listModels } from "./model_map.ts";

Deno.test("claudeCodeAliases() gives each alias the newest model of its family the table offers in the geography", () => {
  assertEquals(claudeCodeAliases(listModels(DEFAULT_MODEL_TABLE, { prefix: "us" })), {
    opus: { model: "claude-opus-5-5", bedrock: "us.anthropic.claude-opus-5-5" },
    sonnet: { model: "claude-sonnet-5-5", bedrock: "us.anthropic.claude-sonnet-5-5" },
    haiku: { model: "claude-haiku-5-5", bedrock: "us.anthropic.claude-haiku-5-5" },
    fable: { model: "claude-fable-5-2", bedrock: "us.anthropic.claude-fable-5-2" },
  });
  // No Fable has a Japanese profile, nor Haiku 5.5 / Sonnet 5.5: the newest that has one.
  assertEquals(claudeCodeAliases(listModels(DEFAULT_MODEL_TABLE, { prefix: "jp" })), {
    opus: { model: "claude-opus-5-5", bedrock: "jp.anthropic.claude-opus-5-5" },
    sonnet: { model: "claude-sonnet-4-6", bedrock: "jp.anthropic.claude-sonnet-4-6" },
    haiku: {
      model: "claude-haiku-4-5",
      bedrock: "jp.anthropic.claude-haiku-4-5-20251001-v1:0",
    },
  });
});

Deno.test("claudeCodeAliases() picks among the models it is given only, dated or not, and skips names of no family", () => {
  assertEquals(
    claudeCodeAliases([
      { name: "team-default", modelId: "eu.anthropic.claude-sonnet-5-5" },
      { name: "claude-3-7-sonnet-latest", modelId: "eu.anthropic.claude-3-7-sonnet-20250219-v1:0" },
      {
        name: "claude-sonnet-4-5-20250929",
        modelId: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
      { name: "claude-3-5-haiku-20241022", modelId: "us.anthropic.claude-3-5-haiku-20241022-v1:0" },
      { name: "claude-haiku-4-5-20251001", modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0" },
      { name: "claude-haiku-4-5", modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0" },
    ]),
    {
      sonnet: {
        model: "claude-sonnet-4-5-20250929",
        bedrock: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
      // Same release date: the first listed.
      haiku: {
        model: "claude-haiku-4-5-20251001",
        bedrock: "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      },
    },
  );
  assertEquals(claudeCodeAliases([]), {});
});
