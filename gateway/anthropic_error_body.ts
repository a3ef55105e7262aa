import type { AnthropicErrorType } from "./errors.ts";

/** Anthropic's error body. */
export interface AnthropicErrorBody {
  /** Always `"error"`. */
  type: "error";
  /** The error. */
  error: { type: AnthropicErrorType; message: string };
  /** The gateway's request id, when known. */
  request_id?: string;
}

/**
 * Builds Anthropic's error body:
 * `{"type":"error","error":{"type":...,"message":...},"request_id":...}`.
 *
 * @param type Anthropic error type.
 * @param message Human-readable message.
 * @param requestId Added as `request_id` when given.
 * @returns The body, ready for `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { anthropicErrorBody } from "./anthropic_error_body.ts";
 * const body = anthropicErrorBody("overloaded_error", "Overloaded");
 * console.assert(JSON.stringify(body) === '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
 * ```
 */
export function anthropicErrorBody(
  type: AnthropicErrorType,
  message: string,
  requestId?: string,
): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: "error", error: { type, message } };
  if (requestId) body.request_id = requestId;
  return body;
}
