import parsePrometheus from "parse-prometheus-text-format";
import { assert, assertEquals } from "../testing/assert.ts";
import { GatewayMetrics } from "./gateway_metrics.ts";
import { prometheusText } from "./prometheus_text.ts";

/** The exposition format's line grammar (0.0.4), strictly. */
const COMMENT = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$/;
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;

function metricsFixture(): GatewayMetrics {
  const m = new GatewayMetrics();
  m.increment(
    "ccgate_requests_total",
    { route: "messages", status: "200", outcome: "completed" },
    3,
  );
  m.increment("ccgate_tokens_total", { model: 'we"ird\\model\nname', kind: "input" }, 42);
  m.increment("ccgate_cost_usd_total", { model: "m" }, 0.0125);
  m.add("ccgate_active_streams", { route: "messages" }, 2);
  m.observe("ccgate_request_duration_seconds", { route: "messages" }, 0.02);
  m.observe("ccgate_request_duration_seconds", { route: "messages" }, 3);
  m.observe("ccgate_request_duration_seconds", { route: "messages" }, 900);
  return m;
}

Deno.test("prometheusText() output follows the exposition grammar line by line", () => {
  const m = metricsFixture();
  const text = prometheusText({
    counters: m.samples(),
    gauges: m.gauges(),
    histograms: m.histograms(),
  });
  assert(text.endsWith("\n"));
  for (const line of text.trimEnd().split("\n")) {
    assert(
      COMMENT.test(line) || SAMPLE.test(line),
      `not exposition format: ${JSON.stringify(line)}`,
    );
  }
});

Deno.test("prometheusText() parses back to the same values with a Prometheus text parser", () => {
  const m = metricsFixture();
  const text = prometheusText({
    counters: m.samples(),
    gauges: m.gauges(),
    histograms: m.histograms(),
    help: { ccgate_requests_total: "Requests\nanswered" },
  });
  const families = new Map(
    parsePrometheus(text).map((f: { name: string }) => [f.name, f]),
  ) as Map<string, { type: string; help: string; metrics: Record<string, unknown>[] }>;
  assertEquals(families.get("ccgate_requests_total")?.type, "COUNTER");
  assertEquals(families.get("ccgate_requests_total")?.metrics, [{
    value: "3",
    labels: { route: "messages", status: "200", outcome: "completed" },
  }]);
  assertEquals(
    (families.get("ccgate_tokens_total")?.metrics[0]?.labels as Record<string, string>).model,
    'we"ird\\model\nname',
  );
  assertEquals(families.get("ccgate_cost_usd_total")?.metrics[0]?.value, "0.0125");
  assertEquals(families.get("ccgate_active_streams")?.type, "GAUGE");
  const h = families.get("ccgate_request_duration_seconds");
  assertEquals(h?.type, "HISTOGRAM");
  const sample = h!.metrics[0] as { buckets: Record<string, string> };
  // This parser folds labelled histograms into buckets only; _sum and _count are read as lines.
  assert(text.includes('ccgate_request_duration_seconds_count{route="messages"} 3\n'));
  assert(text.includes('ccgate_request_duration_seconds_sum{route="messages"} 903.02\n'));
  assertEquals(sample.buckets["0.025"], "1");
  assertEquals(sample.buckets["5"], "2");
  assertEquals(sample.buckets["600"], "2", "900 s is only in +Inf");
  assertEquals(sample.buckets["+Inf"], "3");
});

Deno.test("prometheusText() renders nothing for no metrics", () => {
  assertEquals(prometheusText({ counters: [], gauges: [], histograms: [] }), "");
});
