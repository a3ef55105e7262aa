import { assertEquals } from "../testing/assert.ts";
import { InvalidRequestError, UpstreamError, UpstreamTimeoutError } from "./errors.ts";
import { failoverReason, isRetryable } from "./failover_reason.ts";

/** An error as the AWS SDK throws it: a name and, when Bedrock answered, an HTTP status. */
function sdkError(name: string, status?: number, message = "failed"): Error {
  const err = Object.assign(new Error(message), { name });
  return status === undefined ? err : Object.assign(err, { $metadata: { httpStatusCode: status } });
}

Deno.test("isRetryable() fails over on throttling, 5xx, connection failures and first-byte timeouts", () => {
  assertEquals(isRetryable(sdkError("ThrottlingException", 429)), true);
  assertEquals(isRetryable(sdkError("ServiceUnavailableException", 503)), true);
  assertEquals(isRetryable(sdkError("InternalServerException", 500)), true);
  assertEquals(isRetryable(new TypeError("error sending request: connection refused")), true);
  assertEquals(isRetryable(new UpstreamTimeoutError("first_byte", 1_000)), true);
  assertEquals(
    isRetryable(new UpstreamError("no event stream", { status: 502, type: "api_error" })),
    true,
  );
});

Deno.test("isRetryable() does not fail over when the upstream refused the request or a stream timed out", () => {
  assertEquals(isRetryable(sdkError("ValidationException", 400)), false);
  assertEquals(isRetryable(sdkError("AccessDeniedException", 403)), false);
  assertEquals(isRetryable(sdkError("SomeOtherException", 404)), false);
  assertEquals(isRetryable(new UpstreamTimeoutError("idle", 1_000)), false);
  assertEquals(isRetryable(new UpstreamTimeoutError("total", 1_000)), false);
  assertEquals(isRetryable(new InvalidRequestError("bad field")), false);
});

Deno.test("failoverReason() names why a call failed over from a fixed set", () => {
  const reason = (err: unknown) => failoverReason(err, isRetryable(err));
  assertEquals(reason(sdkError("ThrottlingException", 429)), "throttled");
  assertEquals(reason(sdkError("ServiceQuotaExceededException", 429)), "throttled");
  assertEquals(reason(sdkError("ModelNotReadyException", 429)), "throttled");
  assertEquals(reason(sdkError("Unnamed", 429)), "throttled");
  assertEquals(reason(sdkError("InternalServerException", 500)), "server_error");
  assertEquals(reason(sdkError("ModelStreamErrorException")), "server_error");
  assertEquals(reason(new TypeError("error sending request: connection reset")), "connection");
  assertEquals(reason(new UpstreamTimeoutError("first_byte", 1_000)), "timeout");
  assertEquals(
    reason(new UpstreamError("no event stream", { status: 502, type: "api_error" })),
    "server_error",
  );
});

Deno.test("failoverReason() is refused when the attempt was not retryable, whatever the error", () => {
  assertEquals(failoverReason(sdkError("ValidationException", 400), false), "refused");
  assertEquals(failoverReason(sdkError("ThrottlingException", 429), false), "refused");
  assertEquals(failoverReason(new UpstreamTimeoutError("first_byte", 1_000), false), "refused");
});
