import type { AnthropicErrorType } from "./errors.ts";

/** What the gateway answers for a Bedrock failure. */
export interface AnthropicErrorMapping {
  /** HTTP status for the client. */
  status: number;
  /** Anthropic error type. */
  type: AnthropicErrorType;
  /** Message for the client: Bedrock's own for validation errors, generic otherwise. */
  message: string;
  /** Whole seconds for a `retry-after` header, on 429s. */
  retryAfterSeconds?: number;
  /** Whether retrying the same request can succeed (`x-should-retry`). */
  shouldRetry: boolean;
}

/** A thrown Bedrock failure, as far as the mapping needs it. */
export interface BedrockFailure {
  /** Exception name (`ThrottlingException`, ...) or JS error name. */
  name: string;
  /** Exception message. */
  message: string;
  /** HTTP status from the SDK's `$metadata.httpStatusCode`, when there is one. */
  status?: number;
  /** Seconds Bedrock asked to wait (from a `retry-after` header), when known. */
  retryAfterSeconds?: number;
}

/** Default `retry-after` for throttling: Bedrock quotas are per minute. */
const THROTTLE_RETRY_AFTER = 10;
/** Default `retry-after` for an exceeded service quota. */
const QUOTA_RETRY_AFTER = 30;

type Fixed = Omit<AnthropicErrorMapping, "retryAfterSeconds"> & { retryAfter?: number };

const BY_NAME: Record<string, Fixed> = {
  ThrottlingException: {
    status: 429,
    type: "rate_limit_error",
    message: "Bedrock is throttling requests for this model; retry after the indicated delay",
    shouldRetry: true,
    retryAfter: THROTTLE_RETRY_AFTER,
  },
  ServiceQuotaExceededException: {
    status: 429,
    type: "rate_limit_error",
    message: "The Bedrock service quota for this model is exhausted; retry later",
    shouldRetry: true,
    retryAfter: QUOTA_RETRY_AFTER,
  },
  ServiceUnavailableException: {
    status: 529,
    type: "overloaded_error",
    message: "Bedrock is temporarily unavailable",
    shouldRetry: true,
  },
  ModelNotReadyException: {
    status: 529,
    type: "overloaded_error",
    message: "The model is not ready yet on Bedrock",
    shouldRetry: true,
  },
  AccessDeniedException: {
    status: 403,
    type: "permission_error",
    message: "The gateway is not allowed to invoke this model on Bedrock",
    shouldRetry: false,
  },
  ResourceNotFoundException: {
    status: 404,
    type: "not_found_error",
    message: "The model was not found on Bedrock in this region",
    shouldRetry: false,
  },
  ModelTimeoutException: {
    status: 504,
    type: "timeout_error",
    message: "The model took too long to respond",
    shouldRetry: true,
  },
  InternalServerException: {
    status: 500,
    type: "api_error",
    message: "Bedrock had an internal error",
    shouldRetry: true,
  },
  ModelStreamErrorException: {
    status: 500,
    type: "api_error",
    message: "The model's response stream failed",
    shouldRetry: true,
  },
  ModelErrorException: {
    status: 500,
    type: "api_error",
    message: "The model failed to process the request",
    shouldRetry: true,
  },
  TimeoutError: {
    status: 504,
    type: "timeout_error",
    message: "Bedrock did not answer in time",
    shouldRetry: true,
  },
};

/** Bedrock's answer to a prompt over the model's context window (Anthropic says "prompt is too long"). */
const INPUT_TOO_LONG = /input is too long for requested model/i;
/** An ARN with an account id, or a bare 12-digit account id, in a Bedrock message. */
const ACCOUNT_ARN = /\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^\s"',;)]+/g;
const ACCOUNT_ID = /\b\d{12}\b/g;
/** Bedrock's answer to an InvokeModel body over its 25,000,000-byte limit. */
const BODY_TOO_LARGE = /length less than or equal to 25000000/;

const CONNECTION =
  /ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EPIPE|ETIMEDOUT|socket|network|fetch failed|error sending request|connection/i;

/**
 * Maps a Bedrock failure to Anthropic's status, error type and message.
 * Validation errors keep Bedrock's message verbatim (Claude Code reacts to
 * "Prompt is too long" and "Extra inputs are not permitted"), except that
 * Bedrock's "Input is too long for requested model." is worded as
 * Anthropic's "prompt is too long: …" (only that starts Claude Code's
 * automatic compaction) and a body over Bedrock's 25,000,000-byte limit is
 * Anthropic's 413 `request_too_large`; an ARN or account id in a validation
 * message (an application inference profile's, say) is replaced by `[ARN]` or
 * `[account]`; every other message is a fixed sentence, so account ids, role
 * ARNs and stack details never reach the client.
 *
 * @param e The failure's name, message and HTTP status.
 * @returns Status, type, message, retry hints.
 *
 * @example Throttling becomes a 429 with a retry delay
 * ```ts
 * import { toAnthropicError } from "./bedrock_error.ts";
 * const mapped = toAnthropicError({ name: "ThrottlingException", message: "Too many requests" });
 * console.assert(mapped.status === 429 && mapped.retryAfterSeconds === 10);
 * ```
 */
export function toAnthropicError(e: BedrockFailure): AnthropicErrorMapping {
  if (e.name === "ValidationException") return _validation(e.message);
  const fixed = Object.hasOwn(BY_NAME, e.name) ? BY_NAME[e.name] : undefined;
  if (fixed !== undefined) {
    const { retryAfter, ...rest } = fixed;
    if (retryAfter === undefined) return rest;
    return { ...rest, retryAfterSeconds: _retryAfter(e.retryAfterSeconds, retryAfter) };
  }
  if (e.status === 429) {
    return {
      status: 429,
      type: "rate_limit_error",
      message: "Bedrock is throttling requests; retry later",
      shouldRetry: true,
      retryAfterSeconds: _retryAfter(e.retryAfterSeconds, THROTTLE_RETRY_AFTER),
    };
  }
  if (e.status !== undefined && e.status >= 400 && e.status < 500) {
    return {
      status: 400,
      type: "invalid_request_error",
      message: `Bedrock rejected the request (${_safeName(e.name)})`,
      shouldRetry: false,
    };
  }
  if (e.status === undefined && (CONNECTION.test(e.message) || CONNECTION.test(e.name))) {
    return {
      status: 502,
      type: "api_error",
      message: "Could not reach Bedrock",
      shouldRetry: true,
    };
  }
  // Bedrock's 5xx, or a failure with no status: the upstream's fault either way, so 502 (a 500
  // would say the gateway itself failed).
  return {
    status: 502,
    type: "api_error",
    message: "Bedrock call failed",
    shouldRetry: true,
  };
}

function _retryAfter(given: number | undefined, fallback: number): number {
  if (given === undefined || !Number.isFinite(given) || given <= 0) return fallback;
  return Math.min(Math.ceil(given), 300);
}

/** Exception names are identifiers; anything else is replaced. */
function _safeName(name: string): string {
  return /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) ? name : "error";
}

function _validation(message: string): AnthropicErrorMapping {
  if (BODY_TOO_LARGE.test(message)) {
    return {
      status: 413,
      type: "request_too_large",
      message: "Request exceeds Bedrock's maximum request size of 25,000,000 bytes",
      shouldRetry: false,
    };
  }
  const safe = message.replace(ACCOUNT_ARN, "[ARN]").replace(ACCOUNT_ID, "[account]");
  return {
    status: 400,
    type: "invalid_request_error",
    message: INPUT_TOO_LONG.test(safe)
      ? `prompt is too long: ${safe}`
      : safe || "Bedrock rejected the request",
    shouldRetry: false,
  };
}
