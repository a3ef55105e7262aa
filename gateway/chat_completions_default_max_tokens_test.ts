/**
 * `/v1/chat/completions` without `max_tokens`, as Cline, Aider and Continue
 * send it, through the real `openai` SDK over a real socket in front of the
 * Bedrock emulator: the model's maximum output reaches Bedrock (OpenAI's own
 * default), 4,096 for a model the gateway's table does not know, within the
 * policy's `max_tokens` limit and what the budgets leave.
 */
import OpenAI from "openai";
import { answerScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { type GatewayStack, startGatewayStack } from "../testing/gateway_stack.ts";
import { MAX_TOKENS_CAPPED_HEADER } from "./policy/admit_request.ts";

function sdk(stack: GatewayStack) {
  return new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: stack.token, maxRetries: 0 });
}

/** Sends one request without max_tokens; returns the max_tokens Bedrock got and the cap header. */
async function send(stack: GatewayStack, model: string, stream = false) {
  stack.emulator.enqueue(textAnswer("ok"));
  const messages = [{ role: "user" as const, content: "Write the whole file." }];
  const client = sdk(stack);
  let capped: string | null;
  if (stream) {
    const { data, response } = await client.chat.completions
      .create({ model, messages, stream: true }).withResponse();
    for await (const _ of data) { /* drain */ }
    capped = response.headers.get(MAX_TOKENS_CAPPED_HEADER);
  } else {
    const { data, response } = await client.chat.completions.create({ model, messages })
      .withResponse();
    assertEquals(data.choices[0]?.message.content, "ok");
    capped = response.headers.get(MAX_TOKENS_CAPPED_HEADER);
  }
  const sent = (stack.emulator.requests.at(-1)!.json as { max_tokens: number }).max_tokens;
  return { sent, capped };
}

for (const stream of [false, true]) {
  Deno.test(`the OpenAI SDK without max_tokens (stream: ${stream}) gets the model's maximum output`, async () => {
    await using stack = await startGatewayStack();
    const cases: [string, number][] = [
      ["claude-opus-5-5", 128_000],
      ["claude-sonnet-4-6", 128_000],
      ["claude-sonnet-4-5", 64_000],
      ["claude-opus-4-1", 32_000],
      ["claude-3-5-haiku-latest", 8_192],
      // A raw Bedrock id of a model the table knows, under another profile.
      ["eu.anthropic.claude-haiku-4-5-20251001-v1:0", 64_000],
    ];
    for (const [model, max] of cases) {
      assertEquals(await send(stack, model, stream), { sent: max, capped: null }, model);
    }
  });
}

Deno.test("the OpenAI SDK without max_tokens gets 4,096 for a model the table does not know", async () => {
  // Bedrock (the emulator) offers models newer than the gateway's table.
  await using stack = await startGatewayStack({ emulator: { models: () => true } });
  assertEquals(await send(stack, "claude-opus-5-5"), { sent: 128_000, capped: null });
  // A new name the fallback rule maps, and a raw id of an older model (Claude 3 Haiku takes 4,096).
  for (const model of ["claude-opus-9-9", "us.anthropic.claude-3-haiku-20240307-v1:0"]) {
    assertEquals(await send(stack, model), { sent: 4096, capped: null }, model);
  }
});

Deno.test("the OpenAI SDK's max_tokens or max_completion_tokens is sent as the client set it", async () => {
  await using stack = await startGatewayStack();
  const client = sdk(stack);
  const messages = [{ role: "user" as const, content: "Hi" }];
  stack.emulator.enqueue(textAnswer("ok"));
  await client.chat.completions.create({ model: "claude-opus-5-5", messages, max_tokens: 300 });
  stack.emulator.enqueue(textAnswer("ok"));
  await client.chat.completions.create({
    model: "claude-opus-5-5",
    messages,
    max_completion_tokens: 200,
  });
  assertEquals(stack.emulator.requests.map((r) => (r.json as { max_tokens: number }).max_tokens), [
    300,
    200,
  ]);
});

const CATALOGUE = `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
  claude-opus-5-5:
    bedrock: us.anthropic.claude-opus-5-5
    price: { input: 4, output: 20 }
  house-haiku:
    bedrock: us.anthropic.claude-3-haiku-20240307-v1:0
    price: { input: 0.25, output: 1.25 }
`;

Deno.test("the OpenAI SDK without max_tokens gets the policy's lower max_tokens limit, capped, not refused", async () => {
  await using stack = await startGatewayStack({
    policyYaml: `${CATALOGUE}defaults:\n  max_tokens: 32000\n  max_tokens_mode: refuse\n`,
  });
  assertEquals(await send(stack, "claude-opus-5-5"), { sent: 32_000, capped: "32000" });
  assertEquals(await send(stack, "claude-opus-5-5", true), { sent: 32_000, capped: "32000" });
  // Sonnet 4.5's 64,000 too; an alias to an id the table does not know: 4,096, under the limit.
  assertEquals(await send(stack, "claude-sonnet-4-5-20250929"), { sent: 32_000, capped: "32000" });
  assertEquals(await send(stack, "house-haiku"), { sent: 4096, capped: null });
});

Deno.test("the OpenAI SDK without max_tokens under a policy above the model's maximum gets the model's maximum", async () => {
  await using stack = await startGatewayStack({
    policyYaml: `${CATALOGUE}defaults:\n  max_tokens: 100000\n`,
  });
  assertEquals(await send(stack, "claude-sonnet-4-5-20250929"), { sent: 64_000, capped: null });
  assertEquals(await send(stack, "claude-opus-5-5"), { sent: 100_000, capped: "100000" });
});

Deno.test("the OpenAI SDK without max_tokens gets what the budget leaves, never less than 4,096 and never refused for more", async () => {
  const at = new Date("2026-11-30T10:00:20Z");
  await using stack = await startGatewayStack({
    policyYaml: `${CATALOGUE}defaults:\n  budgets:\n    daily_usd: 0.5\n`,
    policyNow: () => at,
  });
  // $15/M output: 64,000 max_tokens may cost $0.96, more than the whole $0.50; about 33,300 fit.
  const whole = await send(stack, "claude-sonnet-4-5-20250929");
  assert(whole.sent > 33_000 && whole.sent < 33_334, String(whole.sent));
  assertEquals(whole.capped, String(whole.sent));

  // $0.375 spent (25,000 output tokens): about 8,300 output tokens are left.
  stack.emulator.enqueue(answerScript(textAnswer("ok", { usage: { output_tokens: 25_000 } })));
  const spend = await sdk(stack).chat.completions.create({
    model: "claude-sonnet-4-5-20250929",
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: 25_000,
  });
  assertEquals(spend.choices[0]?.message.content, "ok");
  const left = await send(stack, "claude-sonnet-4-5-20250929");
  assert(left.sent > 8_000 && left.sent < 8_334, String(left.sent));
  assertEquals(left.capped, String(left.sent));

  // $0.45 spent: less than 4,096 output tokens left, refused as a 4,096 request was before.
  stack.emulator.enqueue(answerScript(textAnswer("ok", { usage: { output_tokens: 5_000 } })));
  await sdk(stack).chat.completions.create({
    model: "claude-sonnet-4-5-20250929",
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: 5_000,
  });
  const before = stack.emulator.requests.length;
  const refused = await fetch(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  assertEquals(refused.status, 429);
  const message = (await refused.json()).error.message as string;
  // 4,096 output tokens at $15/M ($0.0614) and the input's worst case.
  assert(message.includes("this request may cost up to $0.06"), message);
  assertEquals(stack.emulator.requests.length, before, "not sent to Bedrock");
});
