import { assertEquals } from "../../testing/assert.ts";
import { readInvokeHeaders } from "./invoke_headers.ts";

const G = { id: "g1", versions: ["1", "DRAFT"], deniedWords: [] };

Deno.test("readInvokeHeaders() reads the tier, latency, trace and the guardrail by id or ARN", () => {
  const r = readInvokeHeaders(
    new Headers({
      "x-amzn-bedrock-service-tier": "flex",
      "x-amzn-bedrock-performanceconfig-latency": "optimized",
      "x-amzn-bedrock-trace": "ENABLED",
      "x-amzn-bedrock-guardrailidentifier": "arn:aws:bedrock:us-east-1:123456789012:guardrail/g1",
      "x-amzn-bedrock-guardrailversion": "DRAFT",
    }),
    {},
    [G],
  );
  assertEquals(r, {
    ok: true,
    headers: {
      serviceTier: "flex",
      performanceConfigLatency: "optimized",
      trace: "ENABLED",
      guardrail: { guardrail: G, version: "DRAFT" },
    },
  });
});

Deno.test("readInvokeHeaders() words constraint failures as AWS does", () => {
  const r = readInvokeHeaders(
    new Headers({ "x-amzn-bedrock-service-tier": "standard", "x-amzn-bedrock-trace": "yes" }),
    {},
    [],
  );
  assertEquals(r, {
    ok: false,
    message: "2 validation errors detected: " +
      "Value 'standard' at 'serviceTier' failed to satisfy constraint: Member must satisfy enum value set: [priority, default, flex, reserved]; " +
      "Value 'yes' at 'trace' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]",
  });
});

Deno.test("readInvokeHeaders() refuses a guardrail without version, an unknown one, and a bad body configuration", () => {
  const id = { "x-amzn-bedrock-guardrailidentifier": "g1" };
  const message = (r: ReturnType<typeof readInvokeHeaders>) => r.ok ? "" : r.message;
  assertEquals(
    message(readInvokeHeaders(new Headers(id), {}, [G])),
    "Guardrail version is required when guardrail identifier is set",
  );
  assertEquals(
    message(
      readInvokeHeaders(new Headers({ ...id, "x-amzn-bedrock-guardrailversion": "2" }), {}, [G]),
    ),
    "The guardrail identifier or version provided in the request does not exist.",
  );
  assertEquals(
    message(
      readInvokeHeaders(new Headers(), { "amazon-bedrock-guardrailConfig": { tagSuffix: "a" } }, [
        G,
      ]),
    ),
    "Guardrail identifier is required when guardrailConfig is set",
  );
  assertEquals(
    message(
      readInvokeHeaders(
        new Headers({ ...id, "x-amzn-bedrock-guardrailversion": "1" }),
        { "amazon-bedrock-guardrailConfig": { streamProcessingMode: "later" } },
        [G],
      ),
    ),
    'Malformed input request: #/amazon-bedrock-guardrailConfig/streamProcessingMode: "later" is not a valid value, please reformat your input and try again.',
  );
});
