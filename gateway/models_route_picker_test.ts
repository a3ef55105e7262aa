/**
 * `GET /v1/models` as Claude Code's model picker reads it: with
 * `CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1`, Claude Code 2.1.332 asks
 * `GET /v1/models?limit=1000` at start-up and adds a `/model` row per listed
 * model that its own rows (Opus, Fable, Sonnet, Haiku) do not cover, labelled
 * with the `display_name` ("Claude Sonnet 4.5 · From gateway").
 */
import { assertEquals } from "../testing/assert.ts";
import { getAs, startGatewayStack } from "../testing/gateway_stack.ts";

const EXAMPLE_POLICY = new URL("../docs/policy.example.yaml", import.meta.url).pathname;

interface Card {
  id: string;
  display_name: string;
  created_at: string;
}

Deno.test("GET /v1/models under the example policy lists each model once: no two identical rows in Claude Code's /model picker", async () => {
  await using stack = await startGatewayStack({ policy: EXAMPLE_POLICY });
  const answer = await getAs(stack, stack.token, "/v1/models?limit=1000");
  assertEquals(answer.status, 200);
  // Before: claude-sonnet-4-5 and claude-haiku-4-5 (the table's names of the catalogue's Bedrock ids)
  // were listed too, and the picker showed "Claude Sonnet 4.5 · From gateway" and "Claude Haiku 4.5
  // · From gateway" twice each.
  assertEquals(answer.body.data.map((m: Card) => [m.id, m.display_name]), [
    ["claude-opus-5-5", "Claude Opus 5.5"],
    ["claude-sonnet-5-5", "Claude Sonnet 5.5"],
    ["claude-haiku-5-5", "Claude Haiku 5.5"],
    ["claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"],
    ["claude-haiku-4-5-20251001", "Claude Haiku 4.5"],
  ]);
  assertEquals([answer.body.first_id, answer.body.last_id, answer.body.has_more], [
    "claude-opus-5-5",
    "claude-haiku-4-5-20251001",
    false,
  ]);
  // A name left out of the list still works.
  const alias = await getAs(stack, stack.token, "/v1/models/claude-sonnet-4-5");
  assertEquals([alias.status, alias.body.display_name], [200, "Claude Sonnet 4.5"]);
});

Deno.test("GET /v1/models without a policy names no model twice under one display name, and keeps an admin's own alias", async () => {
  await using stack = await startGatewayStack({
    env: { CCGATE_MODELS: '{"team-default":"us.anthropic.claude-sonnet-4-5-20250929-v1:0"}' },
  });
  const answer = await getAs(stack, stack.token, "/v1/models?limit=1000");
  const rows = answer.body.data.map((m: Card) => m.display_name);
  assertEquals(rows.filter((r: string, i: number) => rows.indexOf(r) !== i), []);
  const ids = answer.body.data.map((m: Card) => m.id);
  assertEquals(ids.slice(0, 2), ["team-default", "claude-fable-5-2"]);
  assertEquals(ids.includes("claude-sonnet-4-5"), true);
  assertEquals(ids.includes("claude-sonnet-4-5-20250929"), false);
});

Deno.test("GET /v1/models dates a policy catalogue's models from the table, as without a policy", async () => {
  await using stack = await startGatewayStack({ policy: EXAMPLE_POLICY });
  const answer = await getAs(stack, stack.token, "/v1/models?limit=1000");
  // Before: 1970-01-01T00:00:00Z for every model whose name and Bedrock id carry no date.
  assertEquals(Object.fromEntries(answer.body.data.map((m: Card) => [m.id, m.created_at])), {
    "claude-opus-5-5": "2026-09-22T00:00:00Z",
    "claude-sonnet-5-5": "2026-09-28T00:00:00Z",
    "claude-haiku-5-5": "2026-10-07T00:00:00Z",
    "claude-sonnet-4-5-20250929": "2025-09-29T00:00:00Z",
    "claude-haiku-4-5-20251001": "2025-10-01T00:00:00Z",
  });
  const one = await getAs(stack, stack.token, "/v1/models/claude-opus-5-5");
  assertEquals(one.body.created_at, "2026-09-22T00:00:00Z");
});

Deno.test("GET /v1/models dates a CCGATE_MODELS alias of a table model under another geography, and not an unknown one", async () => {
  await using stack = await startGatewayStack({
    env: {
      CCGATE_MODELS: JSON.stringify({
        "team-default": "eu.anthropic.claude-sonnet-5-5",
        "team-arn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-5-5",
        "team-other": "eu.anthropic.claude-unlisted-9",
      }),
    },
  });
  const answer = await getAs(stack, stack.token, "/v1/models?limit=3");
  assertEquals(answer.body.data.map((m: Card) => [m.id, m.created_at]), [
    ["team-default", "2026-09-28T00:00:00Z"],
    ["team-arn", "2026-10-07T00:00:00Z"],
    ["team-other", "1970-01-01T00:00:00Z"],
  ]);
});
