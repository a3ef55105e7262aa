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
