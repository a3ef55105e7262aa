import { assertEquals } from "../../testing/assert.ts";
import type { EffectivePolicy } from "../policy/effective_policy.ts";
import { withoutPoolCounters } from "./without_pool_counters.ts";

Deno.test("withoutPoolCounters() nulls every group pool's counters and keeps the user's own and every limit", () => {
  const policy: EffectivePolicy = {
    models: ["claude-sonnet-4-5"],
    model_rules: ["defaults.models"],
    max_tokens: { limit: 8192, rule: "defaults.max_tokens", mode: "cap" },
    requests_per_minute: [
      { scope: "user:u", limit: 10, rule: "defaults.requests_per_minute", used: 3 },
      { scope: "group:eng", limit: 600, rule: "groups.eng.pool.requests_per_minute", used: 412 },
    ],
    tokens_per_minute: [
      { scope: "group:eng", limit: 1e6, rule: "groups.eng.pool.tokens_per_minute", used: 9000 },
    ],
    concurrent_streams: [
      { scope: "user:u", limit: 2, rule: "defaults.concurrent_streams", in_flight: 1 },
      { scope: "group:eng", limit: 50, rule: "groups.eng.pool.concurrent_streams", in_flight: 31 },
    ],
    budgets: [
      {
        scope: "user:u",
        period: "daily",
        unit: "usd",
        window: "2026-11-30",
        limit: 10,
        rule: "defaults.budgets.daily_usd",
        spent: 1.5,
        reserved: 0.2,
      },
      {
        scope: "group:eng",
        period: "monthly",
        unit: "tokens",
        window: "2026-11",
        limit: 5e6,
        rule: "groups.eng.pool.budgets.monthly_tokens",
        spent: 123456,
        reserved: 800,
      },
    ],
  };
  const view = withoutPoolCounters(policy);
  assertEquals(view.models, policy.models);
  assertEquals(view.max_tokens, policy.max_tokens);
  assertEquals(view.requests_per_minute.map((r) => [r.scope, r.limit, r.used]), [
    ["user:u", 10, 3],
    ["group:eng", 600, null],
  ]);
  assertEquals(view.tokens_per_minute.map((t) => t.used), [null]);
  assertEquals(view.concurrent_streams.map((c) => c.in_flight), [1, null]);
  assertEquals(view.budgets.map((b) => [b.scope, b.limit, b.window, b.spent, b.reserved]), [
    ["user:u", 10, "2026-11-30", 1.5, 0.2],
    ["group:eng", 5e6, "2026-11", null, null],
  ]);
  assertEquals(policy.budgets[1]!.spent, 123456, "the input is left as it was");
});
