import type { Context, Handler } from "hono";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from "./prometheus_text.ts";

/** `# HELP` texts of the gateway's metrics. */
export const METRIC_HELP: Readonly<Record<string, string>> = Object.freeze({
  ccgate_requests_total: "Model requests answered, by route, status and outcome.",
  ccgate_tokens_total: "Tokens used, by Bedrock model and kind.",
  ccgate_cost_usd_total: "Cost of priced requests in US dollars, by Bedrock model.",
  ccgate_upstream_errors_total: "Bedrock failures (before or during a stream), by error type.",
  ccgate_budget_rejections_total: "Requests refused because a budget was spent.",
  ccgate_rate_limit_rejections_total: "Requests refused by a rate or concurrency limit.",
  ccgate_count_tokens_estimated_total: "count_tokens answers that are estimates.",
  ccgate_count_tokens_counted_total: "count_tokens answers counted by Bedrock.",
  ccgate_ledger_entries_written_total: "Usage ledger entries written.",
  ccgate_ledger_write_failures_total: "Usage ledger batches that failed to write.",
  ccgate_active_streams: "Streams being sent now.",
  ccgate_ledger_buffered_entries: "Usage ledger entries waiting for the next flush.",
  ccgate_request_duration_seconds: "Whole request duration in seconds, streams included.",
  ccgate_first_byte_seconds: "Time to the first byte from Bedrock in seconds.",
});

/**
 * `GET /metrics`: the gateway's counters, gauges and histograms in the
 * Prometheus text format. Unauthenticated, like most exporters: put it
 * behind the network boundary (it names models and routes, never users).
 *
 * @param metrics The gateway's metrics; absent, the answer is empty.
 * @returns The handler.
 */
export function metricsRoute(metrics: GatewayMetrics | undefined): Handler {
  return function metricsHandler(c: Context) {
    const text = metrics === undefined ? "" : prometheusText({
      counters: metrics.samples(),
      gauges: metrics.gauges(),
      histograms: metrics.histograms(),
      help: METRIC_HELP,
    });
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  };
}
