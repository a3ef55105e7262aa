import { assertEquals } from "../testing/assert.ts";
import { GatewayMetrics } from "./gateway_metrics.ts";

Deno.test("GatewayMetrics.increment() counts per name and label set, label order aside", () => {
  const metrics = new GatewayMetrics();
  metrics.increment("ccgate_count_tokens_estimated_total", { model: "a", route: "x" });
  metrics.increment("ccgate_count_tokens_estimated_total", { route: "x", model: "a" }, 2);
  metrics.increment("ccgate_count_tokens_estimated_total", { model: "b" });
  assertEquals(
    metrics.value("ccgate_count_tokens_estimated_total", { model: "a", route: "x" }),
    3,
  );
  assertEquals(metrics.value("ccgate_count_tokens_estimated_total", { model: "b" }), 1);
  assertEquals(metrics.value("ccgate_count_tokens_counted_total"), 0);
  assertEquals(metrics.samples().length, 2);
});

Deno.test("GatewayMetrics.samples() returns copies", () => {
  const metrics = new GatewayMetrics();
  metrics.increment("ccgate_count_tokens_counted_total");
  metrics.samples()[0]!.value = 99;
  assertEquals(metrics.value("ccgate_count_tokens_counted_total"), 1);
});

Deno.test("GatewayMetrics.observe() keeps cumulative buckets, sum and count per label set", () => {
  const metrics = new GatewayMetrics();
  for (const v of [0.004, 0.2, 0.2, 700]) {
    metrics.observe("ccgate_request_duration_seconds", { route: "r" }, v, [0.01, 0.5]);
  }
  const [h] = metrics.histograms();
  assertEquals(h?.buckets, [1, 3]);
  assertEquals(h?.count, 4);
  assertEquals(h?.sum, 700.404);
});

Deno.test("GatewayMetrics gauges move up and down and can be set", () => {
  const metrics = new GatewayMetrics();
  metrics.add("ccgate_active_streams", { route: "r" }, 2);
  metrics.add("ccgate_active_streams", { route: "r" }, -1);
  assertEquals(metrics.value("ccgate_active_streams", { route: "r" }), 1);
  metrics.set("ccgate_ledger_buffered_entries", {}, 7);
  assertEquals(metrics.gauges().map((g) => g.value), [1, 7]);
});

Deno.test("GatewayMetrics.gaugeFrom() and counterFrom() read their value at each sampling", () => {
  const metrics = new GatewayMetrics();
  let inFlight = 2;
  let rejections = 0;
  metrics.gaugeFrom("ccgate_upstream_calls_in_flight", {}, () => inFlight);
  metrics.counterFrom("ccgate_policy_reload_failures_total", {}, () => rejections);
  assertEquals(metrics.gauges(), [
    { name: "ccgate_upstream_calls_in_flight", labels: {}, value: 2 },
  ]);
  inFlight = 0;
  rejections = 3;
  assertEquals(metrics.gauges()[0]!.value, 0);
  assertEquals(metrics.samples(), [
    { name: "ccgate_policy_reload_failures_total", labels: {}, value: 3 },
  ]);
  assertEquals(metrics.value("ccgate_policy_reload_failures_total"), 3);
});

Deno.test("GatewayMetrics.recordIn() records each later observation of that histogram there too, until unset", () => {
  const metrics = new GatewayMetrics();
  const recorded: [number, Readonly<Record<string, string>>][] = [];
  metrics.observe("ccgate_request_duration_seconds", { route: "messages" }, 0.1);
  metrics.recordIn("ccgate_request_duration_seconds", {
    record: (value, attributes) => recorded.push([value, attributes]),
  });
  metrics.observe("ccgate_request_duration_seconds", { route: "messages" }, 0.2);
  metrics.observe("ccgate_first_byte_seconds", { route: "messages" }, 0.05);
  metrics.recordIn("ccgate_request_duration_seconds", undefined);
  metrics.observe("ccgate_request_duration_seconds", { route: "messages" }, 0.3);
  assertEquals(recorded, [[0.2, { route: "messages" }]]);
  assertEquals(metrics.histograms()[0]!.count, 3);
});

Deno.test("GatewayMetrics.includedKinds() merges the kinds of the included sources", () => {
  const metrics = new GatewayMetrics();
  metrics.include({ samples: () => [], gauges: () => [], kinds: { ccgate_a_total: "counter" } });
  metrics.include({ samples: () => [], gauges: () => [] });
  metrics.include({ samples: () => [], gauges: () => [], kinds: { ccgate_b: "gauge" } });
  assertEquals(metrics.includedKinds(), { ccgate_a_total: "counter", ccgate_b: "gauge" });
});
