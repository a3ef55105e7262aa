import type { Context, Handler } from "hono";
import { AuthenticationError } from "./errors.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from "./prometheus_text.ts";
import { bearerToken } from "./bearer_token.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

/** `# HELP` texts of the gateway's metrics. */
export const METRIC_HELP: Readonly<Record<string, string>> = Object.freeze({
  ccgate_requests_total: "Model requests answered, by route, status and outcome.",
  ccgate_tokens_total: "Tokens used, by Bedrock model and kind.",
  ccgate_cost_usd_total: "Cost of priced requests in US dollars, by Bedrock model.",
  ccgate_upstream_errors_total: "Bedrock failures (before or during a stream), by error type.",
  ccgate_budget_rejections_total: "Requests refused because a budget was spent.",
  ccgate_load_shed_total:
    "Requests this instance refused before reading their bodies, by reason: draining, concurrency, memory (529), too_large (413) or user_share (429: the user's requests hold their share of the memory budget).",
  ccgate_rate_limit_rejections_total: "Requests refused by a rate or concurrency limit.",
  ccgate_auth_refused_total:
    "Requests refused with 401, by reason: credentials_missing, credentials_malformed, credentials_conflicting, session_revoked, or the token check that failed (token_expired, token_signature_invalid, ...); and with 503 for token_keys_unavailable (the auth service's keys could not be fetched).",
  ccgate_count_tokens_estimated_total: "count_tokens answers that are estimates.",
  ccgate_count_tokens_counted_total: "count_tokens answers counted by Bedrock.",
  ccgate_ledger_entries_written_total:
    "Usage ledger entries made durable (in the write-ahead log).",
  ccgate_ledger_write_failures_total: "Usage ledger write-ahead commits that failed (tried again).",
  ccgate_ledger_dropped_total:
    "Usage ledger entries dropped because the in-memory buffer was full (KV kept failing): lost usage records.",
  ccgate_upstream_failovers_total:
    "Bedrock calls tried again on another upstream (or the same region after a backoff) after an attempt failed, by from_region, to_region and reason: throttled, server_error, timeout, connection, refused.",
  ccgate_circuit_opened_total:
    "Circuits (region x model id) that opened after consecutive failures, by region.",
  ccgate_circuit_open:
    "Open circuits (region x model id refused or being probed), by region: above 0, calls skip that region for the model.",
  ccgate_policy_reload_failures_total:
    "Policy file reloads rejected (unreadable or invalid file; the previous policy stays in force).",
  ccgate_tool_search_refused_total:
    "Bedrock refusals of tool search, by model: each request was sent again without it, and that model goes without tool search for an hour.",
  ccgate_policy_file_rejected:
    "1 while the policy file on disk is rejected: the next restart would fail to start. 0 otherwise.",
  ccgate_upstream_calls_in_flight:
    "Bedrock calls in flight now, streamed and non-streamed (ccgate_active_streams counts the streams being sent).",
  ccgate_active_streams: "Streams being sent now.",
  ccgate_ledger_buffered_entries: "Usage ledger entries in memory, not yet in the write-ahead log.",
  ccgate_memory_in_flight_bytes:
    "Memory the Bedrock calls in flight are estimated to hold, from their request sizes, in bytes.",
  ccgate_memory_budget_bytes:
    "Memory budget for Bedrock calls in flight, in bytes: above it new requests get 529.",
  ccgate_request_duration_seconds: "Whole request duration in seconds, streams included.",
  ccgate_first_byte_seconds: "Time to the first byte from Bedrock in seconds.",
});

/** Options of {@linkcode metricsRoute}. */
export interface MetricsRouteOptions {
  /**
   * The bearer token a scraper must send (`CCGATE_METRICS_TOKEN`); unset, the
   * metrics are open to anyone who can reach the route.
   */
  token?: string;
}

/**
 * `GET /metrics`: the gateway's counters, gauges and histograms as
 * Prometheus text. With a `token`, a request without
 * `Authorization: Bearer <token>` gets a 401 `authentication_error`.
 *
 * @param metrics The gateway's metrics (none: an empty page).
 * @param options The scrape token.
 * @returns The handler.
 */
export function metricsRoute(
  metrics: GatewayMetrics | undefined,
  options: MetricsRouteOptions = {},
): Handler {
  const { token } = options;
  return function metricsHandler(c: Context) {
    if (token !== undefined) {
      const sent = bearerToken(c.req.header("authorization") ?? "");
      if (sent === undefined || !timingSafeEqual(sent, token)) {
        throw new AuthenticationError(
          'The metrics need the scrape token: send "Authorization: Bearer <CCGATE_METRICS_TOKEN>"',
        );
      }
    }
    const text = metrics === undefined ? "" : prometheusText({
      counters: metrics.samples(),
      gauges: metrics.gauges(),
      histograms: metrics.histograms(),
      help: { ...metrics.includedHelp(), ...METRIC_HELP },
    });
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  };
}
