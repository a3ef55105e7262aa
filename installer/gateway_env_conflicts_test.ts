import { assertEquals } from "../testing/assert.ts";
import { gatewayEnvConflicts, gatewayModeOf, isProviderModelId } from "./gateway_env_conflicts.ts";

Deno.test("gatewayEnvConflicts() names provider switches, credentials and provider model ids in anthropic mode", () => {
  const env = {
    CLAUDE_CODE_USE_BEDROCK: "true",
    CLAUDE_CODE_USE_VERTEX: "0",
    CLAUDE_CODE_USE_FOUNDRY: "1",
    CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD: "1",
    ANTHROPIC_API_KEY: "sk-ant-secret",
    ANTHROPIC_AUTH_TOKEN: "",
    ANTHROPIC_MODEL: "claude-sonnet-4-5",
    ANTHROPIC_DEFAULT_OPUS_MODEL: "claude-opus-4-1@20250805",
    ANTHROPIC_SMALL_FAST_MODEL: "arn:aws:bedrock:eu-west-1:1:inference-profile/x",
    AWS_BEARER_TOKEN_BEDROCK: "b",
    AWS_PROFILE: "dev",
  };
  const found = gatewayEnvConflicts("anthropic", env);
  assertEquals(found.map((c) => c.name), [
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_FOUNDRY",
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
  ]);
  for (const c of found) assertEquals(c.why.includes("sk-ant-secret"), false);
  assertEquals(
    gatewayEnvConflicts("bedrock", env).map((c) => c.name),
    ["ANTHROPIC_API_KEY", "AWS_BEARER_TOKEN_BEDROCK"],
  );
});

Deno.test("isProviderModelId() tells Bedrock and Vertex ids from Anthropic ones", () => {
  assertEquals(isProviderModelId("eu.anthropic.claude-sonnet-4-5-20250929-v1:0"), true);
  assertEquals(isProviderModelId("anthropic.claude-3-haiku-20240307-v1:0"), true);
  assertEquals(isProviderModelId("claude-sonnet-4-5@20250929"), true);
  assertEquals(isProviderModelId("claude-sonnet-4-5-20250929"), false);
  assertEquals(isProviderModelId("sonnet"), false);
});

Deno.test("gatewayModeOf() reads the mode from ccgate's settings, none from others", () => {
  assertEquals(gatewayModeOf({ env: { ANTHROPIC_BASE_URL: "https://gw" } }), "anthropic");
  assertEquals(
    gatewayModeOf({
      env: { CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_BEDROCK_BASE_URL: "https://gw" },
    }),
    "bedrock",
  );
  assertEquals(gatewayModeOf({ theme: "dark" }), undefined);
});
