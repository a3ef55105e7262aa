import { assertEquals } from "../testing/assert.ts";
import { DEFAULT_BUCKETS } from "./gateway_metrics.ts";
import { otelInstruments } from "./otel_instruments.ts";

Deno.test("otelInstruments() makes one instrument per counter and gauge, its HELP text as description", () => {
  assertEquals(
    otelInstruments(
      { ccgate_requests_total: "counter", ccgate_active_streams: "gauge" },
      { ccgate_requests_total: "Model requests.", ccgate_active_streams: "Streams now." },
    ),
    [
      {
        name: "ccgate_requests_total",
        kind: "counter",
        options: { description: "Model requests." },
      },
      { name: "ccgate_active_streams", kind: "gauge", options: { description: "Streams now." } },
    ],
  );
});

Deno.test("otelInstruments() gives a metric without HELP text an empty description", () => {
  assertEquals(otelInstruments({ ccgate_x_total: "counter" }, {})[0]!.options, { description: "" });
});

Deno.test("otelInstruments() makes histograms in seconds with the gateway's bucket bounds", () => {
  const [duration] = otelInstruments(
    { ccgate_request_duration_seconds: "histogram" },
    { ccgate_request_duration_seconds: "Whole request duration." },
  );
  assertEquals(duration, {
    name: "ccgate_request_duration_seconds",
    kind: "histogram",
    options: {
      description: "Whole request duration.",
      unit: "s",
      advice: { explicitBucketBoundaries: [...DEFAULT_BUCKETS] },
    },
  });
});

Deno.test("otelInstruments() takes other bucket bounds, as a copy", () => {
  const bounds = [0.1, 1];
  const [h] = otelInstruments({ h: "histogram" }, {}, bounds);
  bounds.push(10);
  assertEquals(h!.options.advice, { explicitBucketBoundaries: [0.1, 1] });
});
