import { assertEquals } from "../../testing/assert.ts";
import { parsePolicy } from "./parse_policy.ts";
import { regionalModelId } from "./regional_model_id.ts";

const US = "us.anthropic.claude-sonnet-4-6";
const EU = "eu.anthropic.claude-sonnet-4-6";

Deno.test("regionalModelId() maps only listed ids, never another profile of the same model", () => {
  const document = parsePolicy(
    `models:\n  sonnet:\n    bedrock: { us-east-1: ${US}, eu-west-1: ${EU} }\n    price: { input: 3, output: 15 }\n`,
    "policy.yaml",
  );
  assertEquals(regionalModelId(document, US, "eu-west-1"), EU);
  assertEquals(regionalModelId(document, EU, "us-east-1"), US);
  assertEquals(
    regionalModelId(document, "global.anthropic.claude-sonnet-4-6", "eu-west-1"),
    undefined,
  );
  assertEquals(regionalModelId(document, US, "ap-northeast-1"), undefined);
});

Deno.test("regionalModelId() merges the regions of catalogue entries sharing an id", () => {
  const document = parsePolicy(
    `models:
  sonnet:
    bedrock: { us-east-1: ${US} }
    price: { input: 3, output: 15 }
  sonnet-eu-team:
    bedrock: { us-east-1: ${US}, eu-west-1: ${EU} }
    price: { input: 3, output: 15 }
`,
    "policy.yaml",
  );
  assertEquals(regionalModelId(document, US, "eu-west-1"), EU);
  assertEquals(regionalModelId(document, EU, "us-east-1"), US);
});
