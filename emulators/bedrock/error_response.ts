import {
  BEDROCK_EXCEPTIONS,
  type BedrockExceptionName,
  DEFAULT_EXCEPTION_MESSAGES,
} from "./bedrock_exceptions.ts";

/** Options of {@linkcode errorResponse}. */
export interface ErrorResponseOptions {
  /** Value of `x-amzn-RequestId`. */
  requestId: string;
  /** Message; defaults to Bedrock's wording for the exception. */
  message?: string;
  /** HTTP status override; defaults to the exception's status in the service model. */
  status?: number;
}

/**
 * Builds an error response the way Bedrock Runtime (restJson1) sends one:
 * status from the service model, `x-amzn-ErrorType: <Name>:<namespace>`,
 * `x-amzn-RequestId`, and the JSON body `{"message":"..."}`.
 *
 * @param name The exception name.
 * @param options Request id, message and status override.
 * @returns The HTTP response.
 *
 * @example
 * ```ts
 * import { errorResponse } from "./error_response.ts";
 * const res = errorResponse("ThrottlingException", { requestId: "r-1" });
 * if (res.status !== 429) throw new Error("unexpected");
 * ```
 */
export function errorResponse(name: BedrockExceptionName, options: ErrorResponseOptions): Response {
  const info = BEDROCK_EXCEPTIONS[name];
  const message = options.message ?? DEFAULT_EXCEPTION_MESSAGES[name];
  return new Response(JSON.stringify({ message }), {
    status: options.status ?? info.status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": `${name}:${info.namespace}`,
      "x-amzn-requestid": options.requestId,
    },
  });
}
