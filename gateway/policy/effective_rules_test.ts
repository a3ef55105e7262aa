import { assertEquals } from "../../testing/assert.ts";
import { effectiveRules } from "./effective_rules.ts";
import { parsePolicy } from "./parse_policy.ts";

const policy = parsePolicy(
  `models:
  a: { bedrock: us.anthropic.claude-a, price: { input: 1, output: 1 } }
  b: { bedrock: us.anthropic.claude-b, price: { input: 1, output: 1 } }
  c: { bedrock: us.anthropic.claude-c, price: { input: 1, output: 1 } }
defaults:
  models: [a]
  max_tokens: 1000
  max_tokens_mode: cap
  requests_per_minute: 10
  budgets: { daily_usd: 5, monthly_tokens: 1000000 }
roles:
  ccgate.admin:
    models: ["*"]
    budgets: { daily_usd: null }
groups:
  eng:
    models: [b]
    requests_per_minute: 60
    max_tokens: 4000
    max_tokens_mode: refuse
    budgets: { daily_usd: 20 }
    pool: { concurrent_streams: 50, budgets: { monthly_usd: 1000 } }
  ops:
    models: [c]
    requests_per_minute: 30
users:
  bob:
    requests_per_minute: 5
    models: [c]
`,
  "policy.yaml",
);

Deno.test("effectiveRules() falls back to defaults for a user matching nothing", () => {
  const rules = effectiveRules(policy, { sub: "x", roles: [], groups: [] });
  assertEquals(rules.models, { allowed: new Set(["a"]), rules: ["defaults.models"] });
  assertEquals(rules.maxTokens, { limit: 1000, rule: "defaults.max_tokens", mode: "cap" });
  assertEquals(rules.rate, [{
    limit: 10,
    rule: "defaults.requests_per_minute",
    scope: "user:x",
    per: "user",
  }]);
  assertEquals(rules.concurrency, []);
  assertEquals(rules.budgets.map((b) => [b.rule, b.limit, b.period, b.unit]), [
    ["defaults.budgets.daily_usd", 5, "daily", "usd"],
    ["defaults.budgets.monthly_tokens", 1000000, "monthly", "tokens"],
  ]);
});

Deno.test("effectiveRules() takes the most permissive of the matching groups and roles, with their pools", () => {
  const rules = effectiveRules(policy, { sub: "x", roles: [], groups: ["ops", "eng"] });
  assertEquals(rules.models.allowed, new Set(["c", "b"]));
  assertEquals(rules.models.rules, ["groups.ops.models", "groups.eng.models"]);
  assertEquals(rules.rate.map((r) => [r.rule, r.limit]), [["groups.eng.requests_per_minute", 60]]);
  assertEquals(rules.maxTokens, { limit: 4000, rule: "groups.eng.max_tokens", mode: "refuse" });
  assertEquals(rules.concurrency, [
    { limit: 50, rule: "groups.eng.pool.concurrent_streams", scope: "group:eng", per: "group" },
  ]);
  assertEquals(rules.budgets.map((b) => [b.rule, b.scope]), [
    ["groups.eng.budgets.daily_usd", "user:x"],
    ["defaults.budgets.monthly_tokens", "user:x"],
    ["groups.eng.pool.budgets.monthly_usd", "group:eng"],
  ]);
});

Deno.test("effectiveRules() lets null lift a limit and users override everything", () => {
  const admin = effectiveRules(policy, { sub: "x", roles: ["ccgate.admin"], groups: ["eng"] });
  assertEquals(admin.models.allowed, "all");
  assertEquals(admin.budgets.map((b) => b.rule), [
    "defaults.budgets.monthly_tokens",
    "groups.eng.pool.budgets.monthly_usd",
  ]);
  const bob = effectiveRules(policy, { sub: "bob", roles: ["ccgate.admin"], groups: ["eng"] });
  assertEquals(bob.models, { allowed: new Set(["c"]), rules: ["users.bob.models"] });
  assertEquals(bob.rate[0]!.rule, "users.bob.requests_per_minute");
  assertEquals(bob.rate[0]!.limit, 5);
});

Deno.test("effectiveRules() picks tokens_per_minute like requests_per_minute, with group pools", () => {
  const tpm = parsePolicy(
    `models:
  a: { bedrock: us.anthropic.claude-a, price: { input: 1, output: 1 } }
defaults:
  tokens_per_minute: 100000
groups:
  eng:
    tokens_per_minute: 400000
    pool: { tokens_per_minute: 2000000 }
  ops:
    requests_per_minute: 30
users:
  bob:
    tokens_per_minute: null
`,
    "policy.yaml",
  );
  assertEquals(effectiveRules(tpm, { sub: "x", roles: [], groups: [] }).tokenRate, [
    { limit: 100_000, rule: "defaults.tokens_per_minute", scope: "user:x", per: "user" },
  ]);
  assertEquals(effectiveRules(tpm, { sub: "x", roles: [], groups: ["eng", "ops"] }).tokenRate, [
    { limit: 400_000, rule: "groups.eng.tokens_per_minute", scope: "user:x", per: "user" },
    {
      limit: 2_000_000,
      rule: "groups.eng.pool.tokens_per_minute",
      scope: "group:eng",
      per: "group",
    },
  ]);
  assertEquals(effectiveRules(tpm, { sub: "bob", roles: [], groups: [] }).tokenRate, []);
});
