import type { MetricOptions } from "@opentelemetry/api";
import { DEFAULT_BUCKETS, type MetricKind } from "./gateway_metrics.ts";

/** One OpenTelemetry instrument to create for a metric. */
export interface OtelInstrument {
  /** The metric's name, the same as its Prometheus series. */
  name: string;
  /**
   * `counter`: an ObservableCounter; `gauge`: an ObservableGauge (read at
   * export time); `histogram`: a Histogram (recorded at each observation).
   */
  kind: MetricKind;
  /** Description (the `# HELP` text) and, for a histogram, its unit and bucket bounds. */
  options: MetricOptions;
}

/**
 * The OpenTelemetry instruments for a set of metrics: one per name, its
 * `# HELP` text as the description; histograms in seconds with the
 * gateway's bucket bounds as explicit boundaries, so the exported buckets
 * are the `/metrics` ones.
 *
 * @param kinds Each metric's kind, by name.
 * @param help `# HELP` texts, by name (absent: no description).
 * @param buckets Histogram bucket bounds. @default {DEFAULT_BUCKETS}
 * @returns The instruments, in the order of `kinds`.
 *
 * @example Counters, gauges and histograms
 * ```ts
 * import { otelInstruments } from "./otel_instruments.ts";
 * const [requests, duration] = otelInstruments(
 *   { ccgate_requests_total: "counter", ccgate_request_duration_seconds: "histogram" },
 *   { ccgate_requests_total: "Model requests answered." },
 * );
 * console.assert(requests!.options.description === "Model requests answered.");
 * console.assert(duration!.options.advice?.explicitBucketBoundaries?.[0] === 0.005);
 * ```
 */
export function otelInstruments(
  kinds: Readonly<Record<string, MetricKind>>,
  help: Readonly<Record<string, string>>,
  buckets: readonly number[] = DEFAULT_BUCKETS,
): OtelInstrument[] {
  return Object.entries(kinds).map(([name, kind]) => {
    const options: MetricOptions = { description: help[name] ?? "" };
    if (kind === "histogram") {
      options.unit = "s";
      options.advice = { explicitBucketBoundaries: [...buckets] };
    }
    return { name, kind, options };
  });
}
