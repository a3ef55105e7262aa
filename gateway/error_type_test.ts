import { assertEquals } from "../testing/assert.ts";
import { errorTypeOf, isUpstreamError } from "./error_type.ts";
import {
  InvalidRequestError,
  RateLimitedError,
  UpstreamError,
  UpstreamTimeoutError,
} from "./errors.ts";

const bedrock = (name: string) => Object.assign(new Error("from Bedrock"), { name });

Deno.test("errorTypeOf() names Bedrock's exception, else the gateway code, else the error's name", () => {
  const upstream = new UpstreamError("throttled", {
    status: 429,
    type: "rate_limit_error",
    cause: bedrock("ThrottlingException"),
  });
  assertEquals(errorTypeOf(upstream), "ThrottlingException");
  assertEquals(errorTypeOf(new InvalidRequestError("bad")), "invalid_request");
  assertEquals(errorTypeOf(bedrock("ModelStreamErrorException")), "ModelStreamErrorException");
  assertEquals(errorTypeOf(new TypeError("x")), "TypeError");
  assertEquals(errorTypeOf("a string"), "unknown");
});

Deno.test("isUpstreamError() is true for Bedrock failures only", () => {
  assertEquals(isUpstreamError(new UpstreamTimeoutError("first_byte", 1_000)), true);
  assertEquals(isUpstreamError(bedrock("ServiceUnavailableException")), true);
  assertEquals(isUpstreamError(new RateLimitedError("slow down", 5)), false);
  assertEquals(isUpstreamError(new TypeError("x")), false);
});

Deno.test("errorTypeOf() types Bedrock's refusal of an invalid model id as model_not_found", () => {
  const refused = (message: string) =>
    new UpstreamError(message, {
      status: 400,
      type: "invalid_request_error",
      cause: Object.assign(new Error(message), { name: "ValidationException" }),
    });
  assertEquals(
    errorTypeOf(refused("The provided model identifier is invalid.")),
    "model_not_found",
  );
  assertEquals(
    errorTypeOf(refused("Input is too long for requested model.")),
    "ValidationException",
  );
});
