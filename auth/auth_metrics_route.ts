import type { Context, Handler } from "hono";
import { bearerToken } from "../gateway/bearer_token.ts";
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from "../gateway/prometheus_text.ts";
import { timingSafeEqual } from "../gateway/timing_safe_equal.ts";
import { AUTH_METRIC_HELP, type AuthMetrics } from "./auth_metrics.ts";
import { AdminAuthenticationError } from "./errors.ts";

/**
 * `GET /metrics` of the auth service running alone (`auth/main.ts`): its
 * metrics as Prometheus text, guarded like the gateway's: with a `token`
 * (`CCGATE_METRICS_TOKEN`), a request without `Authorization: Bearer <token>`
 * gets a 401 `invalid_token`. The combined server serves none: the
 * gateway's `/metrics` includes these series.
 *
 * @param metrics The auth service's metrics.
 * @param options The scrape token (unset: open).
 * @returns The handler.
 */
export function authMetricsRoute(
  metrics: AuthMetrics,
  options: { token?: string } = {},
): Handler {
  const { token } = options;
  return function authMetricsHandler(c: Context) {
    if (token !== undefined) {
      const sent = bearerToken(c.req.header("authorization") ?? "");
      if (sent === undefined || !timingSafeEqual(sent, token)) {
        throw new AdminAuthenticationError(
          'The metrics need the scrape token: send "Authorization: Bearer <CCGATE_METRICS_TOKEN>"',
        );
      }
    }
    const text = prometheusText({
      counters: metrics.samples(),
      gauges: metrics.gauges(),
      histograms: [],
      help: AUTH_METRIC_HELP,
    });
    c.header("cache-control", "no-store");
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  };
}
