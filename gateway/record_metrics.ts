import { isUpstreamError } from "./error_type.ts";
import { BudgetExceededError, GatewayError, RequestOverBudgetError } from "./errors.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { LedgerOutcome } from "./ledger/ledger_entry.ts";
import type { RecordedRoute } from "./request_record.ts";
import type { TokenUsage } from "./usage.ts";

/** What the metrics count of one finished model request. */
export interface FinishedRequest {
  /** The route's name. */
  route: RecordedRoute;
  /** HTTP status answered. */
  status: number;
  /** How it ended. */
  outcome: LedgerOutcome;
  /** Its error type (`errorTypeOf`), or `null`. */
  errorType: string | null;
  /** What the handler threw or what ended the stream, if anything. */
  error: unknown;
  /** The tokens it used. */
  usage: TokenUsage;
  /** The Bedrock model id, if resolved. */
  bedrockModel: string | null;
  /** Its cost in US dollars, `null` when unpriced. */
  cost: number | null;
  /** Milliseconds until it ended. */
  totalMs: number;
  /** Milliseconds to Bedrock's first byte, `null` when none came. */
  firstByteMs: number | null;
  /** Whether it was a stream (counted in `ccgate_active_streams` until now). */
  streamed: boolean;
}

/**
 * Counts a finished model request in the gateway's metrics: requests by
 * status and outcome, tokens and cost by model, upstream errors, policy
 * refusals, durations, and the end of an active stream.
 *
 * @param metrics The gateway's metrics.
 * @param done The finished request.
 *
 * @example
 * ```ts ignore
 * recordMetrics(metrics, { route: "messages", status: 200, outcome: "completed", ... });
 * ```
 */
export function recordMetrics(metrics: GatewayMetrics, done: FinishedRequest): void {
  const { route, status, outcome, errorType, error, usage, cost } = done;
  const model = done.bedrockModel ?? "none";
  metrics.increment("ccgate_requests_total", { route, status: String(status), outcome });
  if (route !== "count_tokens") {
    for (
      const [kind, n] of [
        ["input", usage.inputTokens],
        ["output", usage.outputTokens],
        ["cache_read", usage.cacheReadInputTokens],
        ["cache_write", usage.cacheCreationInputTokens],
      ] as const
    ) if (n > 0) metrics.increment("ccgate_tokens_total", { model, kind }, n);
    if (cost !== null && cost > 0) metrics.increment("ccgate_cost_usd_total", { model }, cost);
  }
  if (outcome === "upstream_error") {
    metrics.increment("ccgate_upstream_errors_total", { route, type: errorType ?? "unknown" });
  }
  if (error instanceof RequestOverBudgetError) {
    // Larger than a whole budget: a budget refusal, though answered 400 (no wait helps).
    metrics.increment("ccgate_budget_rejections_total", { route });
  } else if (error instanceof GatewayError && error.status === 429 && !isUpstreamError(error)) {
    metrics.increment(
      error instanceof BudgetExceededError
        ? "ccgate_budget_rejections_total"
        : "ccgate_rate_limit_rejections_total",
      { route },
    );
  }
  metrics.observe("ccgate_request_duration_seconds", { route }, done.totalMs / 1000);
  if (done.firstByteMs !== null) {
    metrics.observe("ccgate_first_byte_seconds", { route }, done.firstByteMs / 1000);
  }
  if (done.streamed) metrics.add("ccgate_active_streams", { route }, -1);
}
