import { assertEquals } from "../testing/assert.ts";
import { claudeCodeSettings } from "./claude_code_settings.ts";

Deno.test("claudeCodeSettings() points Claude Code at the gateway through apiKeyHelper", () => {
  assertEquals(
    claudeCodeSettings({
      gatewayUrl: "https://ccgate.example.com/",
      apiKeyHelper: "/opt/ccgate/ccgate token",
    }),
    {
      apiKeyHelper: "/opt/ccgate/ccgate token",
      env: {
        ANTHROPIC_BASE_URL: "https://ccgate.example.com",
        CLAUDE_CODE_API_KEY_HELPER_TTL_MS: "3300000",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
      skipWebFetchPreflight: true,
      permissions: { deny: ["WebSearch"] },
    },
  );
});

Deno.test("claudeCodeSettings() refreshes a short-lived token a quarter early and can keep WebSearch", () => {
  const settings = claudeCodeSettings({
    gatewayUrl: "http://127.0.0.1:8080",
    apiKeyHelper: "ccgate token",
    accessTokenTtlSeconds: 600,
    denyUnsupportedTools: false,
  });
  assertEquals(settings.env.CLAUDE_CODE_API_KEY_HELPER_TTL_MS, "450000");
  assertEquals(settings.permissions, undefined);
});
