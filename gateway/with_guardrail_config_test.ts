import { assertEquals, assertThrows } from "../testing/assert.ts";
import { InvalidRequestError } from "./errors.ts";
import { withGuardrailConfig } from "./with_guardrail_config.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("withGuardrailConfig() puts the configuration first and keeps the body's bytes", () => {
  const body =
    '{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"é"}]}';
  const out = decoder.decode(withGuardrailConfig(encoder.encode(body), { tagSuffix: "t1" }));
  assertEquals(out, `{"amazon-bedrock-guardrailConfig":{"tagSuffix":"t1"},${body.slice(1)}`);
  assertEquals(JSON.parse(out).messages[0].content, "é");
});

Deno.test("withGuardrailConfig() writes a valid object into an empty body", () => {
  const out = decoder.decode(withGuardrailConfig(encoder.encode("{ }"), {}));
  assertEquals(JSON.parse(out), { "amazon-bedrock-guardrailConfig": {} });
});

Deno.test("withGuardrailConfig() refuses a configuration that is not an object", () => {
  for (const config of ["sync", null, [1]]) {
    assertThrows(
      () => withGuardrailConfig(encoder.encode("{}"), config),
      InvalidRequestError,
      "expected type: JSONObject",
    );
  }
});
