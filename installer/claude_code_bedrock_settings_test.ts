import { assert, assertEquals } from "../testing/assert.ts";
import { claudeCodeBedrockSettings } from "./claude_code_bedrock_settings.ts";

Deno.test("claudeCodeBedrockSettings() renders Claude Code's Bedrock mode pointed at the gateway", () => {
  assertEquals(
    claudeCodeBedrockSettings({
      gatewayUrl: "https://ccgate.example.com//",
      apiKeyHelper: "/usr/local/bin/ccgate token",
      awsRegion: "eu-west-1",
    }),
    {
      apiKeyHelper: "/usr/local/bin/ccgate token",
      env: {
        CLAUDE_CODE_USE_BEDROCK: "1",
        ANTHROPIC_BEDROCK_BASE_URL: "https://ccgate.example.com",
        CLAUDE_CODE_SKIP_BEDROCK_AUTH: "1",
        AWS_REGION: "eu-west-1",
        CLAUDE_CODE_API_KEY_HELPER_TTL_MS: "3300000",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
      skipWebFetchPreflight: true,
      permissions: { deny: ["WebSearch"] },
    },
  );
});

Deno.test("claudeCodeBedrockSettings() defaults to us-east-1 and scales the helper TTL to short tokens", () => {
  const settings = claudeCodeBedrockSettings({
    gatewayUrl: "http://127.0.0.1:8080",
    apiKeyHelper: "ccgate token",
    accessTokenTtlSeconds: 600,
    denyUnsupportedTools: false,
  });
  assertEquals(settings.env.AWS_REGION, "us-east-1");
  assertEquals(settings.env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS, "450000");
  assertEquals(settings.permissions, undefined);
});

Deno.test("claudeCodeBedrockSettings() writes the gateway's model of each alias into Claude Code's ANTHROPIC_DEFAULT_*_MODEL", () => {
  const settings = claudeCodeBedrockSettings({
    gatewayUrl: "https://ccgate.example.com",
    apiKeyHelper: "ccgate token",
    aliasModels: {
      opus: "eu.anthropic.claude-opus-5-5",
      sonnet: "eu.anthropic.claude-sonnet-5-5",
      haiku: "eu.anthropic.claude-haiku-5-5",
    },
  });
  assertEquals(settings.env.ANTHROPIC_DEFAULT_OPUS_MODEL, "eu.anthropic.claude-opus-5-5");
  assertEquals(settings.env.ANTHROPIC_DEFAULT_SONNET_MODEL, "eu.anthropic.claude-sonnet-5-5");
  assertEquals(settings.env.ANTHROPIC_DEFAULT_HAIKU_MODEL, "eu.anthropic.claude-haiku-5-5");
  // An alias the gateway gave no model keeps Claude Code's own default.
  assert(!("ANTHROPIC_DEFAULT_FABLE_MODEL" in settings.env));
  // The deprecated small/fast variable would win over the haiku one: never written.
  assert(!("ANTHROPIC_SMALL_FAST_MODEL" in settings.env));
});
