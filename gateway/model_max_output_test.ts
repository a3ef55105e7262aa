import { assertEquals } from "../testing/assert.ts";
import { DEFAULT_MODEL_TABLE } from "./model_map.ts";
import { modelMaxOutput } from "./model_max_output.ts";

Deno.test("modelMaxOutput() finds a table model by its id, bare, under a profile or in an ARN", () => {
  const cases: [string, number][] = [
    ["anthropic.claude-opus-5-5", 128_000],
    ["global.anthropic.claude-sonnet-4-6", 128_000],
    ["eu.anthropic.claude-sonnet-4-5-20250929-v1:0", 64_000],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", 32_000],
    ["us.anthropic.claude-3-5-haiku-20241022-v1:0", 8_192],
    [
      "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      64_000,
    ],
  ];
  for (const [id, max] of cases) assertEquals(modelMaxOutput(DEFAULT_MODEL_TABLE, id), max, id);
});

Deno.test("modelMaxOutput() knows no model the table does not list", () => {
  for (
    const id of [
      "us.anthropic.claude-opus-9-9",
      "anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ]
  ) {
    assertEquals(modelMaxOutput(DEFAULT_MODEL_TABLE, id), undefined, id);
  }
});

Deno.test("DEFAULT_MODEL_TABLE gives every model a maximum output Bedrock takes", () => {
  for (const [name, entry] of Object.entries(DEFAULT_MODEL_TABLE)) {
    const ok = [8_192, 32_000, 64_000, 128_000].includes(entry.maxOutput);
    assertEquals(ok, true, `${name}: ${entry.maxOutput}`);
  }
});
