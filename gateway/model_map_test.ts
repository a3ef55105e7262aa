import { assert, assertEquals, assertStringIncludes, assertThrows } from "../testing/assert.ts";
import { InvalidRequestError, ModelNotFoundError } from "./errors.ts";
import { DEFAULT_MODEL_TABLE, listModels, resolveModel } from "./model_map.ts";

const T = DEFAULT_MODEL_TABLE;

Deno.test("resolveModel() maps Claude Code names to inference profiles", () => {
  assertEquals(resolveModel("claude-opus-4-8", T), "us.anthropic.claude-opus-4-8");
  assertEquals(
    resolveModel("claude-opus-4-8", T, { prefix: "global" }),
    "global.anthropic.claude-opus-4-8",
  );
  assertEquals(
    resolveModel("claude-opus-4-6", T, { prefix: "eu" }),
    "eu.anthropic.claude-opus-4-6-v1",
  );
  assertEquals(
    resolveModel("claude-sonnet-4-5-20250929", T, { prefix: "eu" }),
    "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
  );
  assertEquals(
    resolveModel("claude-sonnet-4-5", T),
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  );
  assertEquals(
    resolveModel("claude-haiku-4-5-20251001", T),
    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
  );
  assertEquals(resolveModel("claude-opus-4-1", T), "us.anthropic.claude-opus-4-1-20250805-v1:0");
  assertEquals(
    resolveModel("claude-3-5-haiku-20241022", T),
    "us.anthropic.claude-3-5-haiku-20241022-v1:0",
  );
  assertEquals(
    resolveModel("claude-opus-4-5", T, { prefix: "none" }),
    "anthropic.claude-opus-4-5-20251101-v1:0",
  );
});

Deno.test("resolveModel() ignores a bracket suffix like [1m]", () => {
  assertEquals(
    resolveModel("claude-sonnet-4-5[1m]", T),
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  );
});

Deno.test("resolveModel() prefers configured aliases, used verbatim", () => {
  const aliases = {
    "claude-opus-4-8": "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/p1",
    opus: "eu.anthropic.claude-opus-4-8",
  };
  assertEquals(resolveModel("claude-opus-4-8", T, { aliases }), aliases["claude-opus-4-8"]);
  assertEquals(resolveModel("opus", T, { aliases }), "eu.anthropic.claude-opus-4-8");
});

Deno.test("resolveModel() accepts raw Bedrock ids and ARNs unless disabled", () => {
  for (
    const id of [
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us.anthropic.claude-opus-4-8",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-8",
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
    ]
  ) {
    assertEquals(resolveModel(id, T), id);
    assertThrows(
      () => resolveModel(id, T, { allowRawIds: false, fallback: false }),
      ModelNotFoundError,
    );
  }
});

Deno.test("resolveModel() maps new claude-* names with the fallback template", () => {
  assertEquals(resolveModel("claude-sonnet-5", T), "us.anthropic.claude-sonnet-5");
  assertEquals(resolveModel("claude-opus-5", T, { prefix: "none" }), "anthropic.claude-opus-5");
  assertEquals(
    resolveModel("claude-haiku-5-20270101", T, { prefix: "eu" }),
    "eu.anthropic.claude-haiku-5-20270101-v1:0",
  );
  assertEquals(
    resolveModel("claude-x", T, {
      fallback: { pattern: /^claude-/, template: "{profile}anthropic.{name}-v2:0" },
    }),
    "us.anthropic.claude-x-v2:0",
  );
});

Deno.test("resolveModel() sends only names shaped like Claude model ids to the fallback", () => {
  for (
    const [name, id] of [
      ["claude-sonnet-4-7", "us.anthropic.claude-sonnet-4-7"],
      ["claude-opus-5", "us.anthropic.claude-opus-5"],
      ["claude-haiku-4-6-20261201", "us.anthropic.claude-haiku-4-6-20261201-v1:0"],
      ["claude-opus-4-20250514", "us.anthropic.claude-opus-4-20250514-v1:0"],
      ["claude-3-9-sonnet-20260101", "us.anthropic.claude-3-9-sonnet-20260101-v1:0"],
      ["claude-4-haiku", "us.anthropic.claude-4-haiku"],
      ["claude-sonnet-4-7[1m]", "us.anthropic.claude-sonnet-4-7"],
    ]
  ) assertEquals(resolveModel(name, T), id, name);
  for (
    const name of [
      "claude-sonnet-4-5-x1",
      "claude-sonnet-4-5-x30",
      "claude-sonnet-4-5-20250929-1",
      "claude-sonnet-4-5-99999999",
      "claude-sonnet-4-5-20251340",
      "claude-sonnet-123",
      "claude-sonnet-4-5-latest",
      "claude-instant-1",
      "claude-.-",
      "claude-new",
      "claude-opus-4.5",
      "claude-sonnet",
    ]
  ) assertThrows(() => resolveModel(name, T), ModelNotFoundError, JSON.stringify(name));
});

Deno.test("resolveModel() throws model_not_found naming the model and the aliases", () => {
  const err = assertThrows(() => resolveModel("gpt-4o", T), ModelNotFoundError);
  assertEquals(err.code, "model_not_found");
  assertEquals(err.status, 404);
  assertStringIncludes(err.message, '"gpt-4o"');
  assertStringIncludes(err.message, "claude-opus-4-8");
  assertThrows(
    () => resolveModel("claude-new", T, { fallback: false }),
    ModelNotFoundError,
    "claude-new",
  );
  assertThrows(() => resolveModel("CLAUDE-OPUS", T), ModelNotFoundError);
});

Deno.test("resolveModel() lists only the models listed keeps when it finds none", () => {
  const haiku = (m: { modelId: string }) => m.modelId.includes("haiku-4-5");
  const err = assertThrows(
    () => resolveModel("gpt-4o", T, { aliases: { fast: "us.anthropic.x" } }, () => haiku),
    ModelNotFoundError,
  );
  // One name per model and display name, as GET /v1/models lists them (distinctModels()).
  assertEquals(err.message, 'Model "gpt-4o" not found. Available models: claude-haiku-4-5');
  const prefix = assertThrows(
    () => resolveModel("claude-opus-4-1", T, { prefix: "eu" }, () => haiku),
    ModelNotFoundError,
  );
  assert(prefix.message.endsWith("Available models: claude-haiku-4-5"));
  assertThrows(
    () => resolveModel("gpt-4o", T, {}, () => () => false),
    ModelNotFoundError,
    "Available models: none",
  );
});

Deno.test("resolveModel() refuses a model without a profile for the configured prefix", () => {
  const err = assertThrows(
    () => resolveModel("claude-opus-4-1", T, { prefix: "eu" }),
    ModelNotFoundError,
  );
  assertStringIncludes(err.message, 'prefix "eu"');
});

Deno.test("resolveModel() rejects a missing or non-string model", () => {
  assertThrows(() => resolveModel(undefined, T), InvalidRequestError, "model: Field required");
  assertThrows(() => resolveModel(42, T), InvalidRequestError, "model: Input should be");
  assertThrows(() => resolveModel("", T), InvalidRequestError);
});

Deno.test("listModels() lists aliases and the models the prefix offers", () => {
  const models = listModels(T, { prefix: "eu", aliases: { opus: "eu.anthropic.claude-opus-4-8" } });
  // An alias of a table model takes its release date (GET /v1/models' created_at).
  assertEquals(models[0], {
    name: "opus",
    modelId: "eu.anthropic.claude-opus-4-8",
    released: "2026-05-28",
  });
  assert(models.some((m) => m.name === "claude-sonnet-4-5" && m.modelId.startsWith("eu.")));
  assert(!models.some((m) => m.name === "claude-opus-4-1"));
  assertEquals(listModels(T, { prefix: "none" }).length, Object.keys(T).length);
});

Deno.test("resolveModel() refuses a name longer than 512 characters with a 400, whatever rule would match it", () => {
  for (
    const name of [`claude-${"a".repeat(600)}`, `arn:aws:bedrock:us-east-1:1:x/${"a".repeat(600)}`]
  ) {
    const err = assertThrows(() => resolveModel(name, DEFAULT_MODEL_TABLE), InvalidRequestError);
    assertEquals(err.message, "model: at most 512 characters");
  }
  assertEquals(
    resolveModel(`us.anthropic.claude-${"a".repeat(400)}`, DEFAULT_MODEL_TABLE).length > 400,
    true,
  );
});

Deno.test("resolveModel() knows the models Claude Code 2.1.332 sends, with the profiles Bedrock offers for each", () => {
  // Claude Code 2.1.332's default model and its `opus`, `sonnet`, `haiku`, `fable` aliases.
  assertEquals(
    resolveModel("claude-opus-5-5", T, { prefix: "eu" }),
    "eu.anthropic.claude-opus-5-5",
  );
  assertEquals(resolveModel("claude-sonnet-5-5", T), "us.anthropic.claude-sonnet-5-5");
  assertEquals(
    resolveModel("claude-haiku-5-5", T, { prefix: "eu" }),
    "eu.anthropic.claude-haiku-5-5",
  );
  assertEquals(resolveModel("claude-fable-5-2", T), "us.anthropic.claude-fable-5-2");
  // Haiku 5.5 has no global profile: a global deployment says so instead of calling Bedrock.
  assertStringIncludes(
    assertThrows(
      () => resolveModel("claude-haiku-5-5", T, { prefix: "global" }),
      ModelNotFoundError,
    )
      .message,
    "Bedrock offers us, eu",
  );
  // A Fable or Mythos model the table does not know yet still maps by Claude's naming scheme.
  assertEquals(resolveModel("claude-fable-6", T), "us.anthropic.claude-fable-6");
  assertEquals(resolveModel("claude-mythos-5-2", T), "us.anthropic.claude-mythos-5-2");
});
