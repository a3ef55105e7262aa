import { assert, assertEquals } from "../testing/assert.ts";
import { toAnthropicError } from "./bedrock_error.ts";

Deno.test("toAnthropicError() maps throttling to 429 with an integer retry-after", () => {
  assertEquals(toAnthropicError({ name: "ThrottlingException", message: "Too many requests" }), {
    status: 429,
    type: "rate_limit_error",
    message: "Bedrock is throttling requests for this model; retry after the indicated delay",
    shouldRetry: true,
    retryAfterSeconds: 10,
  });
  const given = toAnthropicError({
    name: "ThrottlingException",
    message: "",
    retryAfterSeconds: 2.2,
  });
  assertEquals(given.retryAfterSeconds, 3);
  const quota = toAnthropicError({ name: "ServiceQuotaExceededException", message: "quota" });
  assertEquals([quota.status, quota.type, quota.retryAfterSeconds], [429, "rate_limit_error", 30]);
});

Deno.test("toAnthropicError() keeps Bedrock's validation message verbatim", () => {
  for (
    const message of [
      "prompt is too long: 210000 tokens > 200000 maximum",
      "tools.3.custom.defer_loading: Extra inputs are not permitted",
      "invalid beta flag",
    ]
  ) {
    assertEquals(toAnthropicError({ name: "ValidationException", message, status: 400 }), {
      status: 400,
      type: "invalid_request_error",
      message,
      shouldRetry: false,
    });
  }
});

Deno.test("toAnthropicError() maps each Bedrock exception to its status and type", () => {
  const table: [string, number, string, boolean][] = [
    ["ServiceUnavailableException", 529, "overloaded_error", true],
    ["ModelNotReadyException", 529, "overloaded_error", true],
    ["AccessDeniedException", 403, "permission_error", false],
    ["ResourceNotFoundException", 404, "not_found_error", false],
    ["ModelTimeoutException", 504, "timeout_error", true],
    ["InternalServerException", 500, "api_error", true],
    ["ModelStreamErrorException", 500, "api_error", true],
    ["ModelErrorException", 500, "api_error", true],
  ];
  for (const [name, status, type, shouldRetry] of table) {
    const mapped = toAnthropicError({ name, message: "x" });
    assertEquals(
      [mapped.status, mapped.type, mapped.shouldRetry],
      [status, type, shouldRetry],
      name,
    );
    assertEquals(mapped.retryAfterSeconds, undefined, name);
  }
});

Deno.test("toAnthropicError() never leaks account details outside validation errors", () => {
  const secret =
    "User: arn:aws:sts::123456789012:assumed-role/ccgate/i-0abc is not authorized to perform bedrock:InvokeModel";
  for (const name of ["AccessDeniedException", "ResourceNotFoundException", "Weird", "TypeError"]) {
    const mapped = toAnthropicError({ name, message: secret, status: 403 });
    assert(!mapped.message.includes("123456789012"), name);
  }
  assertEquals(
    toAnthropicError({ name: "x<script>", message: secret, status: 418 }).message,
    "Bedrock rejected the request (error)",
  );
});

Deno.test("toAnthropicError() maps connection failures and unknown errors to generic api_error", () => {
  assertEquals(toAnthropicError({ name: "TypeError", message: "fetch failed" }), {
    status: 502,
    type: "api_error",
    message: "Could not reach Bedrock",
    shouldRetry: true,
  });
  assertEquals(toAnthropicError({ name: "Error", message: "read ECONNRESET" }).status, 502);
  assertEquals(toAnthropicError({ name: "TimeoutError", message: "t" }).status, 504);
  assertEquals(toAnthropicError({ name: "Error", message: "boom" }), {
    status: 502,
    type: "api_error",
    message: "Bedrock call failed",
    shouldRetry: true,
  });
  assertEquals(toAnthropicError({ name: "SomethingNew", message: "x", status: 503 }).status, 502);
  const throttled = toAnthropicError({ name: "SomethingNew", message: "x", status: 429 });
  assertEquals([throttled.status, throttled.retryAfterSeconds], [429, 10]);
  assertEquals(
    toAnthropicError({ name: "SomethingNew", message: "x", status: 400 }).shouldRetry,
    false,
  );
});

Deno.test("toAnthropicError() words Bedrock's over-long input as Anthropic's prompt is too long", () => {
  const message = "Input is too long for requested model.";
  const mapped = toAnthropicError({ name: "ValidationException", message, status: 400 });
  assertEquals(mapped.status, 400);
  // Claude Code starts its automatic compaction only on this wording.
  assert(mapped.message.toLowerCase().includes("prompt is too long"));
  assert(mapped.message.includes(message));
});

Deno.test("toAnthropicError() maps Bedrock's body size limit to 413 request_too_large", () => {
  const mapped = toAnthropicError({
    name: "ValidationException",
    message:
      "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to 25000000",
    status: 400,
  });
  assertEquals([mapped.status, mapped.type, mapped.shouldRetry], [413, "request_too_large", false]);
});

Deno.test("toAnthropicError() keeps a validation message but not the account ids and ARNs in it", () => {
  const mapped = toAnthropicError({
    name: "ValidationException",
    message:
      "Invocation of model ID arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3 with on-demand throughput isn't supported (account 123456789012).",
    status: 400,
  });
  assertEquals(
    mapped.message,
    "Invocation of model ID [ARN] with on-demand throughput isn't supported (account [account]).",
  );
  // Claude Code's recoveries key on these messages: they pass unchanged.
  for (const message of ["Input is too long.", "messages.0: Extra inputs are not permitted"]) {
    assertEquals(toAnthropicError({ name: "ValidationException", message }).message, message);
  }
});
