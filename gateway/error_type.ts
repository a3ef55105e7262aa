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
 * The error type logs, the ledger and metrics name a failure by: Bedrock's
 * exception name (`ThrottlingException`) when Bedrock failed, else the
 * gateway error's `code`, else the error's name.
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
    return _bedrockName(error.cause) ?? error.code;
  }
  return _bedrockName(error) ?? (error instanceof Error ? error.name : "unknown");
}

function _bedrockName(error: unknown): string | null {
  if (error instanceof Error && /Exception$/.test(error.name)) return error.name;
  return null;
}
