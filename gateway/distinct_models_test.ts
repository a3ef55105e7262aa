import { assertEquals } from "../testing/assert.ts";
import { distinctModels } from "./distinct_models.ts";

Deno.test("distinctModels() keeps the first name of a model shown the same, and names shown otherwise", () => {
  const sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const listed = distinctModels([
    { name: "claude-sonnet-4-5-20250929", modelId: sonnet },
    { name: "claude-opus-5-5", modelId: "us.anthropic.claude-opus-5-5", released: "2026-09-22" },
    { name: "claude-sonnet-4-5", modelId: sonnet },
    { name: "team-default", modelId: sonnet },
    { name: "claude-sonnet-4-5-20250929", modelId: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0" },
  ]);
  assertEquals(listed.map((m) => [m.name, m.modelId]), [
    ["claude-sonnet-4-5-20250929", sonnet],
    ["claude-opus-5-5", "us.anthropic.claude-opus-5-5"],
    ["team-default", sonnet],
    ["claude-sonnet-4-5-20250929", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"],
  ]);
});
