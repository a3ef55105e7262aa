import { assertEquals } from "../../testing/assert.ts";
import { latencyBucket } from "./latency_histogram.ts";
import type { UsageRow } from "./usage_query.ts";
import { summarizeUsage } from "./usage_summary.ts";

function row(overrides: Partial<UsageRow>): UsageRow {
  return {
    day: "2026-11-01",
    dimension: "user",
    name: "a",
    model: "m1",
    requests: 1,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    unpriced: 0,
    ...overrides,
  };
}

Deno.test("summarizeUsage() totals rollup rows, a series per day, top users and models, errors and percentiles", () => {
  const rows = [
    row({ name: "a", inputTokens: 10, cacheReadTokens: 5, outputTokens: 5, costUsd: 1 }),
    row({ name: "b", inputTokens: 100, unpriced: 1 }),
    row({ day: "2026-11-03", name: "a", model: "m2", errors: 1, inputTokens: 1, outputTokens: 1 }),
    row({ day: "2026-11-03", name: "a", model: "m2", requests: 0, costUsd: 0.5 }),
    row({ day: "2026-11-03", name: "c", errors: 1 }),
  ];
  const s = summarizeUsage(
    {
      rows,
      userRows: rows,
      totalMs: new Map([[latencyBucket(100), 1], [latencyBucket(300), 1]]),
      firstByteMs: new Map([[latencyBucket(10), 1], [latencyBucket(30), 1]]),
      errorTypes: new Map([["budget_exceeded", 1], ["ThrottlingException", 1]]),
    },
    ["2026-11-01", "2026-11-02", "2026-11-03"],
    2,
  );
  assertEquals(s.totals, {
    requests: 4,
    errors: 2,
    tokens: 122,
    inputTokens: 116,
    outputTokens: 6,
    costUsd: 1.5,
    unpriced: 1,
  });
  assertEquals(s.errorRate, 0.5);
  assertEquals(s.days.map((d) => [d.day, d.requests, d.tokens]), [
    ["2026-11-01", 2, 120],
    ["2026-11-02", 0, 0],
    ["2026-11-03", 2, 2],
  ]);
  assertEquals(s.topUsers.map((u) => u.user), ["b", "a"]);
  assertEquals(s.topModels.map((m) => m.model), ["m1", "m2"]);
  // Bucket middles: 2^((b - 0.5) / 4) ms.
  assertEquals(s.latencyMs, { p50: 99, p90: 279, p99: 279 });
  assertEquals(s.firstByteMs, { p50: 10, p90: 29, p99: 29 });
  assertEquals(s.percentiles.method, "log_histogram");
  assertEquals(s.errorTypes, [{ type: "budget_exceeded", count: 1 }, {
    type: "ThrottlingException",
    count: 1,
  }]);
  assertEquals(s.truncated, false);
});

Deno.test("summarizeUsage() says null, not 0, for the cost of unpriced requests only, and the priced part of a mix with its unpriced count", () => {
  const none = new Map();
  const rows = [
    row({ name: "a", model: "priced", requests: 2, costUsd: 0.75 }),
    row({ name: "a", model: "unpriced", requests: 3, unpriced: 3, costUsd: null }),
    row({
      day: "2026-11-02",
      name: "b",
      model: "unpriced",
      requests: 1,
      unpriced: 1,
      costUsd: null,
    }),
  ];
  const s = summarizeUsage(
    { rows, userRows: rows, totalMs: none, firstByteMs: none, errorTypes: none },
    ["2026-11-01", "2026-11-02", "2026-11-03"],
  );
  const cost = (t: { costUsd: number | null; unpriced: number }) => [t.costUsd, t.unpriced];
  assertEquals(cost(s.totals), [0.75, 4]);
  assertEquals(s.days.map(cost), [[0.75, 3], [null, 1], [0, 0]]);
  assertEquals(s.topUsers.map((u) => [u.user, ...cost(u)]), [["a", 0.75, 3], ["b", null, 1]]);
  assertEquals(s.topModels.map((m) => [m.model, ...cost(m)]), [["priced", 0.75, 0], [
    "unpriced",
    null,
    4,
  ]]);
  const only = summarizeUsage(
    { rows: rows.slice(1), userRows: [], totalMs: none, firstByteMs: none, errorTypes: none },
    ["2026-11-01"],
  );
  assertEquals(cost(only.totals), [null, 4]);
});

Deno.test("summarizeUsage() of nothing has zeros and no percentiles", () => {
  const none = new Map();
  const s = summarizeUsage(
    { rows: [], userRows: [], totalMs: none, firstByteMs: none, errorTypes: none },
    ["2026-11-01"],
  );
  assertEquals(s.errorRate, 0);
  assertEquals(s.latencyMs, { p50: null, p90: null, p99: null });
  assertEquals(s.days.length, 1);
});
