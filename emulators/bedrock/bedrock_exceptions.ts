/**
 * The exceptions Bedrock Runtime answers with, their HTTP status (from the
 * service model the AWS SDK is generated from) and the namespace that real
 * Bedrock puts after the name in `x-amzn-ErrorType`.
 *
 * @module
 */

const BEDROCK = "http://internal.amazon.com/coral/com.amazon.bedrock/";
const CORAL = "http://internal.amazon.com/coral/com.amazon.coral.service/";

/** Name, HTTP status and `x-amzn-ErrorType` namespace of each Bedrock Runtime exception. */
export const BEDROCK_EXCEPTIONS = {
  ValidationException: { status: 400, namespace: BEDROCK },
  ServiceQuotaExceededException: { status: 400, namespace: BEDROCK },
  ConflictException: { status: 400, namespace: BEDROCK },
  AccessDeniedException: { status: 403, namespace: BEDROCK },
  ResourceNotFoundException: { status: 404, namespace: BEDROCK },
  ModelTimeoutException: { status: 408, namespace: BEDROCK },
  ModelErrorException: { status: 424, namespace: BEDROCK },
  ModelStreamErrorException: { status: 424, namespace: BEDROCK },
  ThrottlingException: { status: 429, namespace: BEDROCK },
  ModelNotReadyException: { status: 429, namespace: BEDROCK },
  InternalServerException: { status: 500, namespace: BEDROCK },
  ServiceUnavailableException: { status: 503, namespace: BEDROCK },
  // Answered by the AWS front end before Bedrock sees the request (not modelled in the SDK).
  MissingAuthenticationTokenException: { status: 403, namespace: CORAL },
  IncompleteSignatureException: { status: 403, namespace: CORAL },
  InvalidSignatureException: { status: 403, namespace: CORAL },
  UnrecognizedClientException: { status: 403, namespace: CORAL },
  UnknownOperationException: { status: 404, namespace: CORAL },
} as const satisfies Record<string, { status: number; namespace: string }>;

/** A Bedrock Runtime exception name the emulator can answer with. */
export type BedrockExceptionName = keyof typeof BEDROCK_EXCEPTIONS;

/** Default message of each exception, worded like Bedrock's. */
export const DEFAULT_EXCEPTION_MESSAGES: Record<BedrockExceptionName, string> = {
  ValidationException: "Malformed input request, please reformat your input and try again.",
  ServiceQuotaExceededException:
    "Your request exceeds the service quota for your account. You can view your quotas at https://console.aws.amazon.com/servicequotas.",
  ConflictException: "The request could not be completed due to a conflict.",
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: "The specified resource could not be found.",
  ModelTimeoutException: "Model has timed out in processing the request. Try your request again.",
  ModelErrorException: "The model returned an error.",
  ModelStreamErrorException: "The model stream returned an error. Try your request again.",
  ThrottlingException: "Too many requests, please wait before trying again.",
  ModelNotReadyException: "Model is not ready to serve inference requests. Try again later.",
  InternalServerException:
    "The system encountered an unexpected error during processing. Try your request again.",
  ServiceUnavailableException: "Bedrock is unable to process your request.",
  MissingAuthenticationTokenException: "Missing Authentication Token",
  IncompleteSignatureException:
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  InvalidSignatureException: "Credential should be scoped to correct service: 'bedrock'. ",
  UnrecognizedClientException: "The security token included in the request is invalid.",
  UnknownOperationException: "UnknownOperationException",
};

/**
 * The `:exception-type` header of a mid-stream exception frame: the member
 * name in the `ResponseStream` union (lower camel case, e.g.
 * `modelStreamErrorException`), which is what the AWS SDK matches on.
 *
 * @param name The exception name, e.g. `ModelStreamErrorException`.
 * @returns The wire name.
 *
 * @example
 * ```ts
 * import { streamExceptionType } from "./bedrock_exceptions.ts";
 * if (streamExceptionType("ThrottlingException") !== "throttlingException") throw new Error();
 * ```
 */
export function streamExceptionType(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
