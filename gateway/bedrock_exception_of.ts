import type { AnthropicErrorType } from "./errors.ts";

/** A Bedrock Runtime exception as the gateway answers it on the Bedrock-native routes. */
export interface BedrockException {
  /** Exception name, for `x-amzn-ErrorType` (the AWS SDK picks its class from it). */
  name: string;
  /** HTTP status. */
  status: number;
  /** `:exception-type` of the mid-stream exception frame (a `ResponseStream` union member). */
  streamType: string;
}

/** Bedrock's own statuses (service model). */
const STATUS: Record<string, number> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

/** Members of the `ResponseStream` union that carry an exception. */
const STREAM_TYPES = new Set([
  "internalServerException",
  "modelStreamErrorException",
  "validationException",
  "throttlingException",
  "modelTimeoutException",
  "serviceUnavailableException",
]);

const BY_TYPE: Record<AnthropicErrorType, string> = {
  invalid_request_error: "ValidationException",
  request_too_large: "ValidationException",
  authentication_error: "UnrecognizedClientException",
  permission_error: "AccessDeniedException",
  not_found_error: "ResourceNotFoundException",
  rate_limit_error: "ThrottlingException",
  timeout_error: "ModelTimeoutException",
  overloaded_error: "ServiceUnavailableException",
  api_error: "InternalServerException",
};

/**
 * The Bedrock exception for a gateway failure: Bedrock's own exception when
 * one caused it (passed through by name, with Bedrock's status), else one
 * chosen by the Anthropic error type (authentication failures keep 401, as
 * on every other route). Pure.
 *
 * @param status The gateway's HTTP status.
 * @param type The gateway's Anthropic error type.
 * @param causeName Name of the Bedrock exception behind it, if any.
 * @returns Name, status and stream member.
 *
 * @example
 * ```ts
 * import { bedrockExceptionOf } from "./bedrock_exception_of.ts";
 * const e = bedrockExceptionOf(429, "rate_limit_error", "ThrottlingException");
 * console.assert(e.name === "ThrottlingException" && e.status === 429);
 * ```
 */
export function bedrockExceptionOf(
  status: number,
  type: AnthropicErrorType,
  causeName?: string,
): BedrockException {
  if (causeName !== undefined && Object.hasOwn(STATUS, causeName)) {
    return { name: causeName, status: STATUS[causeName]!, streamType: _streamType(causeName) };
  }
  const name = BY_TYPE[type] ?? "InternalServerException";
  const mapped = Object.hasOwn(STATUS, name) ? STATUS[name]! : status;
  return {
    name,
    status: type === "authentication_error" || type === "request_too_large" ? status : mapped,
    streamType: _streamType(name),
  };
}

function _streamType(name: string): string {
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  return STREAM_TYPES.has(member) ? member : "internalServerException";
}
