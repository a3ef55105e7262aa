/**
 * How `FailoverBedrock` (failover_bedrock.ts) classifies a failed attempt:
 * whether another upstream is worth a try, and why the call failed over.
 *
 * @module
 */
import { toAnthropicError } from "./bedrock_error.ts";
import { GatewayError, UpstreamTimeoutError } from "./errors.ts";

/** Why a call failed over (the `reason` label of `ccgate_upstream_failovers_total`): a fixed set. */
export type FailoverReason = "throttled" | "server_error" | "timeout" | "connection" | "refused";

/**
 * Whether a failed attempt is worth another upstream: throttling, 5xx,
 * connection failures and first-byte timeouts are.
 *
 * @param err What the attempt threw (an SDK error, a gateway error, anything).
 * @returns `true` to fail over, `false` when the upstream refused the request itself.
 *
 * @example
 * ```ts ignore
 * isRetryable(Object.assign(new Error("slow down"), { name: "ThrottlingException" })); // true
 * ```
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof UpstreamTimeoutError) return err.kind === "first_byte";
  if (err instanceof GatewayError) return err.code === "upstream_error" && err.status >= 500;
  const e = err instanceof Error ? err : new Error(String(err));
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const mapped = toAnthropicError({ name: e.name, message: e.message, status });
  return mapped.shouldRetry && (mapped.status === 429 || mapped.status >= 500);
}

/**
 * Why a failed attempt made the call fail over, for the `reason` label of
 * `ccgate_upstream_failovers_total`.
 *
 * @param err What the attempt threw.
 * @param retryable What {@linkcode isRetryable} said of it.
 * @returns `refused` when not retryable, else `timeout`, `throttled`,
 * `connection` (no HTTP status, not a modelled exception) or `server_error`.
 *
 * @example
 * ```ts ignore
 * failoverReason(err, isRetryable(err)); // e.g. "throttled"
 * ```
 */
export function failoverReason(err: unknown, retryable: boolean): FailoverReason {
  if (!retryable) return "refused";
  if (err instanceof UpstreamTimeoutError) return "timeout";
  const name = err instanceof Error ? err.name : "";
  if (/^(?:Throttling|ServiceQuotaExceeded|ModelNotReady|TooManyRequests)/.test(name)) {
    return "throttled";
  }
  const status = err instanceof GatewayError
    ? err.status
    : (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status === 429) return "throttled";
  if (status === undefined && !/Exception$/.test(name)) return "connection";
  return "server_error";
}
