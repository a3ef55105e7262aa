import { assertEquals } from "../testing/assert.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { circuitReporter } from "./circuit_reporter.ts";
import { GatewayMetrics } from "./gateway_metrics.ts";
import type { LogRecord } from "./log.ts";

Deno.test("circuitReporter() logs openings and closings and keeps open circuits per region", () => {
  const metrics = new GatewayMetrics();
  const logs: LogRecord[] = [];
  let now = 0;
  const breaker = new CircuitBreaker({
    failureThreshold: 1,
    cooldownMs: 1_000,
    now: () => now,
    changed: circuitReporter({
      log: (r) => logs.push(r),
      metrics,
      regions: ["us-east-1", "us-west-2"],
    }),
  });
  const open = (region: string) => metrics.value("ccgate_circuit_open", { region });
  assertEquals([open("us-east-1"), open("us-west-2")], [0, 0]);
  breaker.failure("us-east-1 us.anthropic.claude-opus-4-8");
  breaker.failure("us-east-1 us.anthropic.claude-sonnet-4-6");
  breaker.failure("us-west-2 us.anthropic.claude-opus-4-8");
  assertEquals([open("us-east-1"), open("us-west-2")], [2, 1]);
  assertEquals(metrics.value("ccgate_circuit_opened_total", { region: "us-east-1" }), 2);
  assertEquals(logs[0], {
    level: "warn",
    msg: "circuit opened",
    region: "us-east-1",
    model_id: "us.anthropic.claude-opus-4-8",
  });
  now = 1_000;
  breaker.tryAcquire("us-east-1 us.anthropic.claude-opus-4-8");
  breaker.success("us-east-1 us.anthropic.claude-opus-4-8");
  assertEquals([open("us-east-1"), open("us-west-2")], [1, 1]);
  assertEquals(logs.at(-1), {
    level: "info",
    msg: "circuit closed",
    region: "us-east-1",
    model_id: "us.anthropic.claude-opus-4-8",
  });
  assertEquals(
    metrics.gauges().map((g) => g.labels.region).sort(),
    ["us-east-1", "us-west-2"],
    "one gauge per region, whatever the model ids",
  );
});
