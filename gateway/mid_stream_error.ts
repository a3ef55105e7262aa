import type { AnthropicErrorType } from "./errors.ts";
import { toUpstreamError } from "./upstream_error.ts";

/** The type and message of a Messages stream's final `event: error`. */
export interface MidStreamError {
  /** Anthropic error type. */
  type: AnthropicErrorType;
  /** Message for the client. */
  message: string;
}

/** The message of throttling after the first byte: there is no delay to indicate. */
const THROTTLED = "Bedrock throttled the model while it was answering";

/**
 * What the final `event: error` of a Messages stream says about an upstream
 * failure after its first byte: what {@linkcode toUpstreamError} says before
 * it, except that throttling (Bedrock's mid-stream `throttlingException`, a
 * 429 `rate_limit_error` before the first byte) is an `overloaded_error`.
 * A stream has no `retry-after` to carry; api.anthropic.com ends a stream it
 * cannot finish with `overloaded_error` or `api_error`, never a rate limit;
 * and Claude Code takes a `rate_limit_error` event for a bad request: once a
 * content block was shown it gives up ("API Error: ...", exit 1), where it
 * retries an `overloaded_error`.
 *
 * @param error What the Bedrock stream threw.
 * @returns The event's error type and message.
 *
 * @example Throttling mid-stream is an overloaded_error
 * ```ts
 * import { midStreamError } from "./mid_stream_error.ts";
 * const throttled = Object.assign(new Error("Too many tokens"), { name: "ThrottlingException" });
 * console.assert(midStreamError(throttled).type === "overloaded_error");
 * ```
 */
export function midStreamError(error: unknown): MidStreamError {
  const e = toUpstreamError(error);
  if (e.type === "rate_limit_error") return { type: "overloaded_error", message: THROTTLED };
  return { type: e.type, message: e.message };
}
