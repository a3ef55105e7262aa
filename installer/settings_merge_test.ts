import { assert, assertEquals } from "../testing/assert.ts";
import { ccgateSettings } from "./ccgate_settings.ts";
import { mergeSettings, renderSettingsJson, unmergeSettings } from "./settings_merge.ts";

const ours = ccgateSettings({
  mode: "anthropic",
  gatewayUrl: "https://ccgate.example.com",
  apiKeyHelper: "/home/u/.local/bin/ccgate token",
});

const userSettings = {
  theme: "dark",
  apiKeyHelper: "/old/helper",
  env: { FOO: "bar", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "0" },
  permissions: { allow: ["Bash(ls)"], deny: ["Read(./.env)"] },
  hooks: { Stop: [] },
};

Deno.test("mergeSettings() keeps every key it does not own, in place", () => {
  const { settings } = mergeSettings(structuredClone(userSettings), ours);
  assertEquals(settings, {
    theme: "dark",
    apiKeyHelper: "/home/u/.local/bin/ccgate token",
    env: {
      FOO: "bar",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      ANTHROPIC_BASE_URL: "https://ccgate.example.com",
      CLAUDE_CODE_API_KEY_HELPER_TTL_MS: "3300000",
    },
    permissions: { allow: ["Bash(ls)"], deny: ["Read(./.env)", "WebSearch"] },
    hooks: { Stop: [] },
    skipWebFetchPreflight: true,
  });
  assert(!("forceLoginMethod" in settings));
});

Deno.test("unmergeSettings() gives back exactly the user's settings, byte for byte", () => {
  const { settings, owned } = mergeSettings(structuredClone(userSettings), ours);
  assertEquals(
    renderSettingsJson(unmergeSettings(settings, owned)),
    renderSettingsJson(userSettings),
  );
  const fromNothing = mergeSettings({}, ours);
  assertEquals(unmergeSettings(fromNothing.settings, fromNothing.owned), {});
});

Deno.test("mergeSettings() is idempotent and keeps the user's previous values across re-runs", () => {
  const first = mergeSettings(structuredClone(userSettings), ours);
  const second = mergeSettings(first.settings, ours, first.owned);
  assertEquals(renderSettingsJson(second.settings), renderSettingsJson(first.settings));
  assertEquals(second.owned, first.owned);
  assertEquals(
    renderSettingsJson(unmergeSettings(second.settings, second.owned)),
    renderSettingsJson(userSettings),
  );
});

Deno.test("unmergeSettings() leaves a value the user changed after install", () => {
  const { settings, owned } = mergeSettings({}, ours);
  (settings.env as Record<string, string>).ANTHROPIC_BASE_URL = "https://mine.example.com";
  const back = unmergeSettings(settings, owned);
  assertEquals(back, { env: { ANTHROPIC_BASE_URL: "https://mine.example.com" } });
});

Deno.test("ccgateSettings() merges an admin policy fragment and refuses forceLoginMethod", () => {
  const s = ccgateSettings({
    mode: "anthropic",
    gatewayUrl: "https://gw",
    apiKeyHelper: "ccgate token",
    policy: {
      permissions: { deny: ["Bash(curl:*)", "WebSearch"] },
      allowManagedMcpServersOnly: true,
    },
  });
  assertEquals((s.permissions as { deny: string[] }).deny, ["WebSearch", "Bash(curl:*)"]);
  assertEquals(s.allowManagedMcpServersOnly, true);
  let code = "";
  try {
    ccgateSettings({
      mode: "anthropic",
      gatewayUrl: "https://gw",
      apiKeyHelper: "ccgate token",
      policy: { forceLoginMethod: "claudeai" },
    });
  } catch (err) {
    code = (err as { code: string }).code;
  }
  assertEquals(code, "usage");
});

/** What the probe found in a developer's settings before install (the key is made up). */
const providerSettings = {
  theme: "dark",
  env: {
    CLAUDE_CODE_USE_BEDROCK: "1",
    AWS_PROFILE: "dev",
    ANTHROPIC_API_KEY: "sk-ant-api03-personal",
    ANTHROPIC_MODEL: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ANTHROPIC_SMALL_FAST_MODEL: "claude-haiku-4-5",
    ANTHROPIC_AUTH_TOKEN: "personal-bearer",
    FOO: "bar",
  },
};

Deno.test("mergeSettings() takes over the env variables that keep Claude Code away from the gateway, and unmergeSettings() gives them back in place", () => {
  const { settings, owned } = mergeSettings(structuredClone(providerSettings), ours);
  assertEquals(settings.env, {
    AWS_PROFILE: "dev",
    ANTHROPIC_SMALL_FAST_MODEL: "claude-haiku-4-5",
    FOO: "bar",
    ANTHROPIC_BASE_URL: "https://ccgate.example.com",
    CLAUDE_CODE_API_KEY_HELPER_TTL_MS: "3300000",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  });
  assertEquals(
    owned.values.filter((v) => v.removed).map((v) => [v.path.join("."), v.previous, v.at]),
    [
      ["env.CLAUDE_CODE_USE_BEDROCK", "1", 0],
      ["env.ANTHROPIC_API_KEY", "sk-ant-api03-personal", 2],
      ["env.ANTHROPIC_MODEL", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", 3],
      ["env.ANTHROPIC_AUTH_TOKEN", "personal-bearer", 5],
    ],
  );
  assertEquals(
    renderSettingsJson(unmergeSettings(settings, owned)),
    renderSettingsJson(providerSettings),
  );
  // A re-run lands on the same bytes and still gives back the user's values.
  const again = mergeSettings(settings, ours, owned);
  assertEquals(renderSettingsJson(again.settings), renderSettingsJson(settings));
  assertEquals(again.owned, owned);
  assertEquals(
    renderSettingsJson(unmergeSettings(again.settings, again.owned)),
    renderSettingsJson(providerSettings),
  );
});

Deno.test("unmergeSettings() leaves a taken-over variable the user set again after install, and a re-install records the new value", () => {
  const { settings, owned } = mergeSettings(structuredClone(providerSettings), ours);
  (settings.env as Record<string, string>).ANTHROPIC_API_KEY = "sk-ant-api03-new";
  const back = unmergeSettings(settings, owned);
  assertEquals((back.env as Record<string, string>).ANTHROPIC_API_KEY, "sk-ant-api03-new");
  assertEquals((back.env as Record<string, string>).CLAUDE_CODE_USE_BEDROCK, "1");
  // A re-install takes the new value over and gives it back, not the one from before.
  const again = mergeSettings(settings, ours, owned);
  assert(!("ANTHROPIC_API_KEY" in (again.settings.env as Record<string, string>)));
  const backAgain = unmergeSettings(again.settings, again.owned);
  assertEquals((backAgain.env as Record<string, string>).ANTHROPIC_API_KEY, "sk-ant-api03-new");
});

Deno.test("mergeSettings() in Bedrock mode takes over personal credentials and AWS_BEARER_TOKEN_BEDROCK, keeps Bedrock model ids", () => {
  const bedrock = ccgateSettings({
    mode: "bedrock",
    gatewayUrl: "https://ccgate.example.com",
    apiKeyHelper: "/home/u/.local/bin/ccgate token",
  });
  const user = {
    env: {
      ...providerSettings.env,
      CLAUDE_CODE_USE_VERTEX: "1",
      AWS_BEARER_TOKEN_BEDROCK: "bedrock-api-key",
    },
  };
  const { settings, owned } = mergeSettings(structuredClone(user), bedrock);
  const env = settings.env as Record<string, string>;
  assertEquals(
    owned.values.filter((v) => v.removed).map((v) => v.path[1]),
    ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"],
  );
  // CLAUDE_CODE_USE_BEDROCK is ccgate's own value here (it wins over CLAUDE_CODE_USE_VERTEX).
  assertEquals(env.CLAUDE_CODE_USE_BEDROCK, "1");
  assertEquals(env.CLAUDE_CODE_USE_VERTEX, "1");
  assertEquals(env.ANTHROPIC_MODEL, "eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
  assertEquals(renderSettingsJson(unmergeSettings(settings, owned)), renderSettingsJson(user));
});
