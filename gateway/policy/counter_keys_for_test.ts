import { assertEquals } from "../../testing/assert.ts";
import { counterKeysFor } from "./counter_keys_for.ts";
import type { EffectiveRules } from "./effective_rules.ts";

const rules: EffectiveRules = {
  models: { allowed: "all", rules: [] },
  rate: [{ scope: "user:alice", per: "user", limit: 10, rule: "defaults.requests_per_minute" }],
  tokenRate: [],
  concurrency: [{ scope: "group:eng", per: "group", limit: 2, rule: "groups.eng.pool" }],
  budgets: [{
    scope: "user:alice",
    per: "user",
    limit: 1,
    rule: "defaults.budgets.daily_usd",
    period: "daily",
    unit: "usd",
  }],
};

Deno.test("counterKeysFor() gives a rate limit this minute's and the previous minute's counters, each kept a minute past its end", () => {
  const now = new Date("2026-11-30T10:01:00Z");
  const t = now.getTime();
  const { minute, rate, budgets, scopes, keys } = counterKeysFor(rules, now);
  assertEquals(minute.startsAt, t);
  assertEquals(minute.endsAt, t + 60_000);
  const m = t / 60_000;
  assertEquals(rate[0]!.key, {
    scope: "user:alice",
    window: `m${m}`,
    unit: "requests",
    endsAt: t + 120_000,
  });
  assertEquals(rate[0]!.previous, {
    scope: "user:alice",
    window: `m${m - 1}`,
    unit: "requests",
    endsAt: t + 60_000,
  });
  assertEquals(budgets[0]!.key.window, "2026-11-30");
  assertEquals(budgets[0]!.key.unit, "usd_micros");
  assertEquals(scopes, ["group:eng"]);
  assertEquals(keys, [rate[0]!.key, rate[0]!.previous, budgets[0]!.key]);
});

Deno.test("counterKeysFor() puts the last millisecond of a minute in that minute", () => {
  const { minute, rate } = counterKeysFor(rules, new Date("2026-11-30T10:00:59.999Z"));
  assertEquals(minute.startsAt, Date.parse("2026-11-30T10:00:00Z"));
  assertEquals(rate[0]!.previous.endsAt, Date.parse("2026-11-30T10:01:00Z"));
});

Deno.test("counterKeysFor() gives a tokens-per-minute limit counted and credited counters for both minutes, all in the keys read at once", () => {
  const now = new Date("2026-11-30T10:01:30Z");
  const m = Date.parse("2026-11-30T10:01:00Z") / 60_000;
  const limit = { scope: "group:eng", per: "group", limit: 5000, rule: "groups.eng.pool" } as const;
  const { tokens, keys } = counterKeysFor(
    { ...rules, rate: [], budgets: [], tokenRate: [limit] },
    now,
  );
  const key = (minute: number, unit: "tokens" | "tokens_credited") => ({
    scope: "group:eng",
    window: `m${minute}`,
    unit,
    endsAt: (minute + 2) * 60_000,
  });
  assertEquals(tokens, [{
    limit,
    key: key(m, "tokens"),
    previous: key(m - 1, "tokens"),
    credited: key(m, "tokens_credited"),
    previousCredited: key(m - 1, "tokens_credited"),
  }]);
  assertEquals(keys, [
    key(m, "tokens"),
    key(m - 1, "tokens"),
    key(m, "tokens_credited"),
    key(m - 1, "tokens_credited"),
  ]);
});
