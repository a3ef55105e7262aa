import { assertEquals } from "../testing/assert.ts";
import { upstreamCandidates } from "./upstream_candidates.ts";

Deno.test("upstreamCandidates() tries every region, then every alternative profile", () => {
  assertEquals(
    upstreamCandidates("us.anthropic.claude-sonnet-4-5-20250929-v1:0", ["us-east-1", "us-west-2"], [
      "global",
      "us",
    ]),
    [
      { region: "us-east-1", modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" },
      { region: "us-west-2", modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" },
      { region: "us-east-1", modelId: "global.anthropic.claude-sonnet-4-5-20250929-v1:0" },
      { region: "us-west-2", modelId: "global.anthropic.claude-sonnet-4-5-20250929-v1:0" },
    ],
  );
});

Deno.test("upstreamCandidates() gives ARNs, plain ids and calls without a model no alternatives", () => {
  const arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x";
  assertEquals(upstreamCandidates(arn, ["us-east-1"], ["global"]), [
    { region: "us-east-1", modelId: arn },
  ]);
  assertEquals(upstreamCandidates("anthropic.claude-x", ["r1"], ["global"]).length, 1);
  assertEquals(upstreamCandidates(undefined, ["r1", "r2"], ["global"]), [
    { region: "r1", modelId: undefined },
    { region: "r2", modelId: undefined },
  ]);
});
