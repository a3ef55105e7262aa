import { assertEquals, assertThrows } from "../testing/assert.ts";
import { readBedrockInvokeOptions } from "./bedrock_invoke_options.ts";
import { InvalidRequestError } from "./errors.ts";

Deno.test("readBedrockInvokeOptions() reads every invocation header into the SDK's input fields", () => {
  const options = readBedrockInvokeOptions(
    new Headers({
      "X-Amzn-Bedrock-Service-Tier": "reserved",
      "X-Amzn-Bedrock-PerformanceConfig-Latency": "standard",
      "X-Amzn-Bedrock-GuardrailIdentifier": "arn:aws:bedrock:eu-west-1:123456789012:guardrail/abc1",
      "X-Amzn-Bedrock-GuardrailVersion": "DRAFT",
      "X-Amzn-Bedrock-Trace": "ENABLED_FULL",
    }),
    { "amazon-bedrock-guardrailConfig": { tagSuffix: "x" } },
  );
  assertEquals(options, {
    serviceTier: "reserved",
    performanceConfigLatency: "standard",
    guardrailIdentifier: "arn:aws:bedrock:eu-west-1:123456789012:guardrail/abc1",
    guardrailVersion: "DRAFT",
    trace: "ENABLED_FULL",
  });
});

Deno.test("readBedrockInvokeOptions() returns nothing when no header is sent, or only empty ones", () => {
  assertEquals(readBedrockInvokeOptions(new Headers(), {}), {});
  assertEquals(
    readBedrockInvokeOptions(new Headers({ "x-amzn-bedrock-service-tier": "" }), {}),
    {},
  );
});

Deno.test("readBedrockInvokeOptions() refuses values outside Bedrock's enums and patterns, all named in one message", () => {
  const err = assertThrows(
    () =>
      readBedrockInvokeOptions(
        new Headers({
          "x-amzn-bedrock-service-tier": "Flex",
          "x-amzn-bedrock-trace": "on",
          "x-amzn-bedrock-guardrailidentifier": "arn:aws:s3:::bucket",
          "x-amzn-bedrock-guardrailversion": "0",
        }),
        {},
      ),
    InvalidRequestError,
  );
  assertEquals(
    err.message,
    "4 validation errors detected: " +
      "Value 'Flex' at 'serviceTier' failed to satisfy constraint: Member must satisfy enum value set: [priority, default, flex, reserved]; " +
      "Value 'on' at 'trace' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]; " +
      "Value 'arn:aws:s3:::bucket' at 'guardrailIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\\/[a-z0-9]+))$; " +
      "Value '0' at 'guardrailVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(([1-9][0-9]{0,7})|(DRAFT))$",
  );
});

Deno.test("readBedrockInvokeOptions() refuses a guardrail half named, or configured in the body without one", () => {
  assertThrows(
    () => readBedrockInvokeOptions(new Headers({ "x-amzn-bedrock-guardrailidentifier": "g1" }), {}),
    InvalidRequestError,
    "Guardrail version is required",
  );
  assertThrows(
    () => readBedrockInvokeOptions(new Headers({ "x-amzn-bedrock-guardrailversion": "3" }), {}),
    InvalidRequestError,
    "Guardrail identifier is required",
  );
  assertThrows(
    () =>
      readBedrockInvokeOptions(new Headers(), {
        "amazon-bedrock-guardrailConfig": { streamProcessingMode: "async" },
      }),
    InvalidRequestError,
    "no guardrail identifier",
  );
});

Deno.test("readBedrockInvokeOptions() cuts a long bad value in its message", () => {
  const long = "x".repeat(5000);
  const err = assertThrows(
    () => readBedrockInvokeOptions(new Headers({ "x-amzn-bedrock-service-tier": long }), {}),
    InvalidRequestError,
  );
  assertEquals(err.message.includes("x".repeat(101)), false);
  assertThrows(
    () =>
      readBedrockInvokeOptions(
        new Headers({
          "x-amzn-bedrock-guardrailidentifier": "a".repeat(2049),
          "x-amzn-bedrock-guardrailversion": "1",
        }),
        {},
      ),
    InvalidRequestError,
    "length less than or equal to 2048",
  );
});
