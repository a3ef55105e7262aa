import { assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { summarizeUsage } from "./usage_summary.ts";

Deno.test("summarizeUsage() totals, a series per day, top users and models, errors and percentiles", () => {
  const entries = [
    ledgerEntry({
      requestId: "1",
      day: "2026-11-01",
      user: "a",
      inputTokens: 10,
      cacheReadTokens: 5,
      outputTokens: 5,
      costUsd: 1,
      totalMs: 100,
      firstByteMs: 10,
    }),
    ledgerEntry({
      requestId: "2",
      day: "2026-11-01",
      user: "b",
      inputTokens: 100,
      outputTokens: 0,
      costUsd: null,
      totalMs: 300,
      firstByteMs: 30,
    }),
    ledgerEntry({
      requestId: "3",
      day: "2026-11-03",
      user: "a",
      bedrockModel: "m2",
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.5,
      outcome: "upstream_error",
      errorType: "ThrottlingException",
      totalMs: 5,
      firstByteMs: null,
    }),
    ledgerEntry({
      requestId: "4",
      day: "2026-11-03",
      user: "c",
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      outcome: "rejected",
      errorType: "budget_exceeded",
      totalMs: 1,
      firstByteMs: null,
    }),
  ];
  const s = summarizeUsage(entries, ["2026-11-01", "2026-11-02", "2026-11-03"], 2);
  assertEquals(s.totals, {
    requests: 4,
    errors: 2,
    tokens: 122,
    inputTokens: 116,
    outputTokens: 6,
    costUsd: 1.5,
  });
  assertEquals(s.errorRate, 0.5);
  assertEquals(s.days.map((d) => [d.day, d.requests, d.tokens]), [
    ["2026-11-01", 2, 120],
    ["2026-11-02", 0, 0],
    ["2026-11-03", 2, 2],
  ]);
  assertEquals(s.topUsers.map((u) => u.user), ["b", "a"]);
  assertEquals(s.topModels.map((m) => m.model), [entries[0]!.bedrockModel, "m2"]);
  assertEquals(s.latencyMs, { p50: 100, p90: 300, p99: 300 });
  assertEquals(s.firstByteMs, { p50: 10, p90: 30, p99: 30 });
  assertEquals(s.errorTypes, [{ type: "ThrottlingException", count: 1 }, {
    type: "budget_exceeded",
    count: 1,
  }]);
});

Deno.test("summarizeUsage() of nothing has zeros and no percentiles", () => {
  const s = summarizeUsage([], ["2026-11-01"]);
  assertEquals(s.errorRate, 0);
  assertEquals(s.latencyMs, { p50: null, p90: null, p99: null });
  assertEquals(s.days.length, 1);
});
