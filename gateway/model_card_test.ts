import { assertEquals } from "../testing/assert.ts";
import { modelCard, UNKNOWN_RELEASE } from "./model_card.ts";
import { DEFAULT_MODEL_TABLE, listModels } from "./model_map.ts";

Deno.test("modelCard() names models in both of Claude's naming schemes", () => {
  const names: Record<string, string> = {
    "claude-opus-4-8": "Claude Opus 4.8",
    "claude-sonnet-4-5-20250929": "Claude Sonnet 4.5",
    "claude-opus-4-0": "Claude Opus 4",
    "claude-opus-4-20250514": "Claude Opus 4",
    "claude-3-7-sonnet-latest": "Claude Sonnet 3.7",
    "claude-3-5-haiku-20241022": "Claude Haiku 3.5",
    "team-default": "team-default",
  };
  for (const [name, display] of Object.entries(names)) {
    assertEquals(modelCard({ name, modelId: "x" }).display_name, display, name);
  }
});

Deno.test("modelCard() dates a model from its name, else from its Bedrock id", () => {
  assertEquals(
    modelCard({ name: "claude-haiku-4-5", modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0" })
      .created_at,
    "2025-10-01T00:00:00Z",
  );
  assertEquals(
    modelCard({ name: "claude-opus-4-8", modelId: "us.anthropic.claude-opus-4-8" }).created_at,
    UNKNOWN_RELEASE,
  );
});

Deno.test("modelCard() gives every built-in model a Claude display name", () => {
  for (const model of listModels(DEFAULT_MODEL_TABLE, { prefix: "none" })) {
    const card = modelCard(model);
    assertEquals(card.display_name.startsWith("Claude "), true, model.name);
    assertEquals(card.type, "model");
  }
});

Deno.test("modelCard() dates an undated model from the table and names the Fable models", () => {
  const [fable] = listModels(DEFAULT_MODEL_TABLE, { prefix: "us" }).filter((m) =>
    m.name === "claude-fable-5-2"
  );
  assertEquals(modelCard(fable!), {
    type: "model",
    id: "claude-fable-5-2",
    display_name: "Claude Fable 5.2",
    created_at: "2026-11-09T00:00:00Z",
  });
  const opus = listModels(DEFAULT_MODEL_TABLE).find((m) => m.name === "claude-opus-5-5")!;
  assertEquals(modelCard(opus).created_at, "2026-09-22T00:00:00Z");
});
