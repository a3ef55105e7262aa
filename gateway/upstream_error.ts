import { toAnthropicError } from "./bedrock_error.ts";
import { GatewayError, UpstreamError } from "./errors.ts";

/**
 * Turns whatever the Bedrock call threw (an SDK exception, a network error,
 * an abort) into an {@linkcode UpstreamError} with Anthropic's status, type,
 * message and retry headers.
 */
export function toUpstreamError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const mapped = toAnthropicError({ name: e.name, message: e.message, status });
  const headers: Record<string, string> = {};
  if (mapped.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(mapped.retryAfterSeconds);
  }
  if (!mapped.shouldRetry) headers["x-should-retry"] = "false";
  return new UpstreamError(mapped.message, {
    status: mapped.status,
    type: mapped.type,
    headers,
    cause: err,
  });
}
