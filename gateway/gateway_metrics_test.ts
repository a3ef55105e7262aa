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
