import { assertEquals } from "../../testing/assert.ts";
import { parsePolicy } from "./parse_policy.ts";
import { policyGeographyWarnings } from "./policy_geography_warnings.ts";

const EXAMPLE = parsePolicy(
  await Deno.readTextFile(new URL("../../docs/policy.example.yaml", import.meta.url)),
  "policy.example.yaml",
);

Deno.test("policyGeographyWarnings() says nothing of the example policy in a US deployment", () => {
  assertEquals(policyGeographyWarnings(EXAMPLE, ["us-east-1", "us-west-2"]), []);
});

Deno.test("policyGeographyWarnings() names each us. profile of the example policy copied into an EU deployment", () => {
  const warnings = policyGeographyWarnings(EXAMPLE, ["eu-west-1"]);
  // Every catalogue entry but the one mapped per region (claude-sonnet-4-5 lists eu-west-1's own).
  const models = Object.keys(EXAMPLE.models).filter((m) => m !== "claude-sonnet-4-5-20250929");
  assertEquals(warnings.length, models.length, warnings.join("\n"));
  assertEquals(
    warnings[0],
    "policy model claude-opus-5-5: us.anthropic.claude-opus-5-5 is a us. inference profile, which Bedrock does not invoke from eu-west-1, so requests for it fail there; list a eu. profile, or one per region (bedrock: {eu-west-1: ...})",
  );
});

Deno.test("policyGeographyWarnings() checks a per-region entry against its own region, and leaves global profiles, foundation ids, ARNs and unknown regions alone", () => {
  const price = { input: 1, output: 5 };
  const document = parsePolicy(
    JSON.stringify({
      models: {
        mapped: {
          bedrock: { "eu-west-1": "us.anthropic.claude-x", "us-east-1": "us.anthropic.claude-x" },
          price,
        },
        global: { bedrock: "global.anthropic.claude-x", price },
        foundation: { bedrock: "anthropic.claude-x", price },
        arn: {
          bedrock: "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a",
          price,
        },
        tokyo: { bedrock: "jp.anthropic.claude-x", price },
      },
    }),
    "p.json",
  );
  assertEquals(
    policyGeographyWarnings(document, ["ap-northeast-1", "me-central-1"]).map((w) =>
      w.split(":")[0]
    ),
    ["policy model mapped"],
  );
});
