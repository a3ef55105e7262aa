import type { AnthropicErrorType } from "./errors.ts";

/** OpenAI's error body. */
export interface OpenAiErrorBody {
  /** The error. */
  error: { message: string; type: string; param: string | null; code: string | null };
}

const TYPES: Record<AnthropicErrorType, { type: string; code: string | null }> = {
  invalid_request_error: { type: "invalid_request_error", code: null },
  authentication_error: { type: "invalid_request_error", code: "invalid_api_key" },
  permission_error: { type: "invalid_request_error", code: "permission_denied" },
  not_found_error: { type: "invalid_request_error", code: "model_not_found" },
  request_too_large: { type: "invalid_request_error", code: "request_too_large" },
  rate_limit_error: { type: "requests", code: "rate_limit_exceeded" },
  api_error: { type: "server_error", code: null },
  timeout_error: { type: "server_error", code: "timeout" },
  overloaded_error: { type: "server_error", code: "overloaded" },
};

/**
 * OpenAI's error body `{"error":{"message","type","param","code"}}` for an
 * Anthropic error type, as the OpenAI SDKs read it (they pick the exception
 * class from the HTTP status).
 *
 * @param type Anthropic error type.
 * @param message Message for the client.
 * @returns The body.
 *
 * @example
 * ```ts
 * import { openAiErrorBody } from "./openai_error_body.ts";
 * const body = openAiErrorBody("authentication_error", "Invalid access token");
 * console.assert(body.error.code === "invalid_api_key");
 * ```
 */
export function openAiErrorBody(type: AnthropicErrorType, message: string): OpenAiErrorBody {
  const mapped = TYPES[type] ?? TYPES.api_error;
  return { error: { message, type: mapped.type, param: null, code: mapped.code } };
}
