import { assert, assertEquals } from "../testing/assert.ts";
import { postInvoke, postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import type { LedgerEntry } from "./ledger/ledger_entry.ts";
import { ENTRY_PREFIX, UNKNOWN_MODEL, USAGE_PREFIX } from "./ledger/roll_up_entry.ts";

async function keysOf(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix })) keys.push(e.key);
  return keys;
}

Deno.test("made-up claude-* names are 404 before Bedrock, and made-up raw ids refused by Bedrock add no roll-up key per name", async () => {
  await using stack = await startGatewayStack();
  // Names shaped like no Claude model: refused by the gateway, Bedrock never called.
  for (let i = 0; i < 30; i++) {
    const res = await postMessages(stack.url, stack.token, { model: `claude-sonnet-4-5-x${i}` });
    assertEquals(res.status, 404);
    assertEquals((await res.json()).error.type, "not_found_error");
  }
  assertEquals(stack.emulator.requests.length, 0, "no Bedrock call for a made-up name");
  // Raw Bedrock ids go through: Bedrock refuses them ("The provided model identifier is invalid.").
  for (let i = 0; i < 30; i++) {
    const res = await postMessages(stack.url, stack.token, {
      model: `us.anthropic.claude-sonnet-4-5-x${i}`,
    });
    assertEquals(res.status, 400);
    await res.body?.cancel();
  }
  assertEquals(stack.emulator.requests.length, 30);
  // One real request, for contrast.
  const ok = await postMessages(stack.url, stack.token);
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
  await stack.ledger.flush();

  const rollups = await keysOf(stack.kv, USAGE_PREFIX);
  const made = rollups.filter((k) => k.some((p) => String(p).includes("claude-sonnet-4-5-x")));
  assertEquals(made, [], "no made-up name in a roll-up key");
  assert(rollups.some((k) => k[2] === "user" && k[4] === UNKNOWN_MODEL && k[5] === "requests"));
  const models = new Set(rollups.filter((k) => k[2] === "user").map((k) => k[4]));
  assertEquals(models, new Set([UNKNOWN_MODEL, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"]));

  // The entries of the ids Bedrock refused keep what was asked for.
  const entries: LedgerEntry[] = [];
  for await (const e of stack.kv.list<LedgerEntry>({ prefix: ENTRY_PREFIX })) entries.push(e.value);
  assertEquals(entries.length, 61);
  const refused = entries.filter((e) => e.errorType === "model_not_found");
  assertEquals(refused.length, 60);
  assert(refused.some((e) => e.bedrockModel === "us.anthropic.claude-sonnet-4-5-x7"));
});

Deno.test("made-up model ids on the Bedrock-native route are refused by Bedrock and rolled up as unknown", async () => {
  await using stack = await startGatewayStack();
  for (let i = 0; i < 5; i++) {
    const model = `us.anthropic.claude-sonnet-4-5-x${i}`;
    const res = await postInvoke(stack, model, { maxTokens: 16 });
    assertEquals(res.status, 400);
    assertEquals(res.headers.get("x-amzn-errortype"), "ValidationException", "Bedrock's answer");
    await res.body?.cancel();
  }
  await stack.ledger.flush();
  const rollups = await keysOf(stack.kv, USAGE_PREFIX);
  assertEquals(rollups.filter((k) => k.some((p) => String(p).includes("-x"))), []);
  assertEquals(
    new Set(rollups.filter((k) => k[2] === "user").map((k) => k[4])),
    new Set([UNKNOWN_MODEL]),
  );
});

Deno.test("a name no model maps to keeps its ledger entry's model on /v1/messages and /v1/chat/completions; one too long, or not made of a name's characters, does not", async () => {
  await using stack = await startGatewayStack();
  const asked = ["claude-opus-9-typo", `claude-${"x".repeat(600)}`, 'claude "opus"\n'];
  for (const model of asked) {
    const res = await postMessages(stack.url, stack.token, { model });
    assertEquals(res.status, model.length > 512 ? 400 : 404);
    await res.body?.cancel();
  }
  const chat = await fetch(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-claude-typo", messages: [{ role: "user", content: "Hi" }] }),
  });
  assertEquals(chat.status, 404);
  await chat.body?.cancel();
  await stack.ledger.flush();
  const entries: LedgerEntry[] = [];
  for await (const e of stack.kv.list<LedgerEntry>({ prefix: ENTRY_PREFIX })) entries.push(e.value);
  assertEquals(
    entries.map((e) => [e.route, e.model, e.bedrockModel, e.errorType]).sort(),
    [
      ["chat_completions", "gpt-claude-typo", null, "model_not_found"],
      ["messages", "claude-opus-9-typo", null, "model_not_found"],
      ["messages", null, null, "invalid_request"],
      // Not what a model name is made of (a log injection, not a typo): not kept.
      ["messages", null, null, "model_not_found"],
    ].sort(),
  );
  const rollups = await keysOf(stack.kv, USAGE_PREFIX);
  assertEquals(
    rollups.filter((k) => k.some((p) => /typo|xxx/.test(String(p)))),
    [],
    "no roll-up key per name",
  );
});
