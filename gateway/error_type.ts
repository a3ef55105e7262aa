import { GatewayError } from "./errors.ts";

/**
 * Whether an error came from Bedrock: the gateway's upstream error or
 * timeout, or an AWS SDK exception (`...Exception`).
 *
 * @param error What a handler threw, or what ended a stream.
 * @returns `true` for an upstream failure.
 *
 * @example
 * ```ts
 * import { isUpstreamError } from "./error_type.ts";
 * const throttled = Object.assign(new Error("slow down"), { name: "ThrottlingException" });
 * console.assert(isUpstreamError(throttled));
 * ```
 */
export function isUpstreamError(error: unknown): boolean {
  if (error instanceof GatewayError) {
    return error.code === "upstream_error" || error.code === "upstream_timeout";
  }
  return _bedrockName(error) !== null;
}

/**
 * The error type of a request for a model that does not exist: the gateway
 * found no mapping for its name (`ModelNotFoundError`'s code), or Bedrock
 * refused the id as invalid (a `ValidationException` "The provided model
 * identifier is invalid."). The ledger rolls such requests up under one
 * model bucket (`rollupModel`), whatever name was sent.
 */
export const MODEL_NOT_FOUND = "model_not_found";

/** Bedrock's ValidationException message for a model id that names no model or inference profile. */
const MODEL_ID_INVALID = /model identifier is invalid/i;

function _modelIdInvalid(error: unknown): boolean {
  return error instanceof Error && error.name === "ValidationException" &&
    MODEL_ID_INVALID.test(error.message);
}

/**
 * The error type of a failed connection to Bedrock: it could not be opened,
 * or broke before the answer's end (a reset mid-stream).
 */
export const UPSTREAM_CONNECTION = "upstream_connection";

/**
 * The error type logs, the ledger and metrics name a failure by: Bedrock's
 * exception name (`ThrottlingException`) when Bedrock failed,
 * {@linkcode MODEL_NOT_FOUND} when Bedrock refused the model id as invalid,
 * {@linkcode UPSTREAM_CONNECTION} when the gateway's upstream error was
 * caused by the network (`fetch`'s `TypeError`, before or during the
 * answer), else the gateway error's `code`, else the error's name.
 *
 * @param error What a handler threw, or what ended a stream.
 * @returns Its type.
 *
 * @example
 * ```ts
 * import { errorTypeOf } from "./error_type.ts";
 * console.assert(errorTypeOf(new TypeError("x")) === "TypeError");
 * ```
 */
export function errorTypeOf(error: unknown): string {
  if (error instanceof GatewayError) {
    const cause = error.cause;
    if (error.code === "upstream_error" && _connectionFailure(cause)) return UPSTREAM_CONNECTION;
    if (error.code === "upstream_error" && _modelIdInvalid(cause)) return MODEL_NOT_FOUND;
    return _bedrockName(cause) ?? error.code;
  }
  if (_modelIdInvalid(error)) return MODEL_NOT_FOUND;
  return _bedrockName(error) ?? (error instanceof Error ? error.name : "unknown");
}

/**
 * `fetch`'s failures: it rejects with a `TypeError` ("fetch failed", its
 * cause naming the connect or send error) and fails a body read with one
 * ("error reading a body from connection"); Deno's socket errors have their
 * own classes.
 */
const CONNECTION_NAMES = new Set([
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "NotConnected",
  "BrokenPipe",
  "UnexpectedEof",
  "TimedOut",
]);
const FETCH_FAILURE = /fetch failed|error sending request|error reading a body|connection/i;

function _connectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (CONNECTION_NAMES.has(error.name)) return true;
  return error instanceof TypeError && FETCH_FAILURE.test(error.message);
}

function _bedrockName(error: unknown): string | null {
  if (error instanceof Error && /Exception$/.test(error.name)) return error.name;
  return null;
}
