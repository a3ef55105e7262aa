import { assert, assertEquals } from "../testing/assert.ts";
import { ccgateSettings } from "./ccgate_settings.ts";

Deno.test("ccgateSettings() writes the alias models in Bedrock mode only", () => {
  const options = {
    gatewayUrl: "https://ccgate.example.com",
    apiKeyHelper: "ccgate token",
    aliasModels: { sonnet: "us.anthropic.claude-sonnet-5-5" },
  };
  const bedrock = ccgateSettings({ ...options, mode: "bedrock" });
  assertEquals(
    (bedrock.env as Record<string, string>).ANTHROPIC_DEFAULT_SONNET_MODEL,
    "us.anthropic.claude-sonnet-5-5",
  );
  // Claude Code's anthropic mode takes the newest models for its aliases itself, by name.
  const anthropic = ccgateSettings({ ...options, mode: "anthropic" });
  assert(!("ANTHROPIC_DEFAULT_SONNET_MODEL" in (anthropic.env as Record<string, string>)));
});
