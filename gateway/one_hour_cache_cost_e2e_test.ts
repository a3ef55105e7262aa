/**
 * 1-hour prompt-cache writes priced at the 1-hour rate end to end: Claude
 * Code's `cache_control: {type: "ephemeral", ttl: "1h"}` through each model
 * route to the Bedrock emulator (real sockets, the real AWS SDK), whose
 * answer splits `cache_creation` by lifetime, into the ledger entry, the
 * cost metric and the policy's dollar budget.
 */
import { defaultAnswer, eventsToMessage, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { HAIKU, TWO_MODEL_CATALOGUE } from "../testing/two_model_catalogue.ts";
import { estimateInputTokens } from "./estimate_input_tokens.ts";
import { ledgerToday } from "../testing/ledger_today.ts";

const HAIKU_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
/** The catalogue's Haiku: $1 input, $5 output; defaults $1.25 (5-minute) and $2 (1-hour) writes. */
const RATES = { input: 1, output: 5, write5m: 1.25, write1h: 2 };
const USER = { sub: "00000000-0000-0000-0000-00000000a11c", roles: [], groups: [] };

/** Claude Code's shape: a long system prompt cached for 1 hour, a turn cached for 5 minutes. */
const SYSTEM = [{
  type: "text",
  text: "You are Claude Code. ".repeat(600),
  cache_control: { type: "ephemeral", ttl: "1h" },
}];
const MESSAGES = [{
  role: "user",
  content: [
    { type: "text", text: "Context. ".repeat(500), cache_control: { type: "ephemeral" } },
    { type: "text", text: "What now?" },
  ],
}];

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** Dollars at Haiku's list prices, computed here (not by the gateway's `costUsd`). */
function listPrice(u: Usage): number {
  const oneHour = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const fiveMinute = (u.cache_creation_input_tokens ?? 0) - oneHour;
  return (u.input_tokens * RATES.input + u.output_tokens * RATES.output +
    fiveMinute * RATES.write5m + oneHour * RATES.write1h) / 1_000_000;
}

Deno.test("1-hour cache writes are charged at 2x input in the ledger entry, the cost metric and the dollar budget, on every model route", async () => {
  await using stack = await startGatewayStack({
    policyYaml: TWO_MODEL_CATALOGUE + "defaults:\n  budgets:\n    daily_usd: 10\n",
  });
  const headers = { authorization: `Bearer ${stack.token}`, "content-type": "application/json" };
  const native = { anthropic_version: "bedrock-2023-05-31", max_tokens: 64, system: SYSTEM };
  const answers: Usage[] = [];
  for (const stream of [false, true]) {
    const res = await postMessages(stack.url, stack.token, {
      model: HAIKU,
      stream,
      system: SYSTEM,
      messages: MESSAGES,
    });
    assertEquals(res.status, 200);
    const text = await res.text();
    const usage = stream
      ? JSON.parse(text.split("\n").find((l) => l.includes('"message_start"'))!.slice(6)).message
        .usage
      : JSON.parse(text).usage;
    assert(usage.cache_creation.ephemeral_1h_input_tokens > 0, "Claude Code sees the split");
    answers.push(usage);
  }
  for (const action of ["invoke", "invoke-with-response-stream"]) {
    const res = await fetch(`${stack.url}/model/${encodeURIComponent(HAIKU_ID)}/${action}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ ...native, messages: MESSAGES }),
    });
    assertEquals(res.status, 200);
    await res.arrayBuffer();
  }
  // OpenAI's API has no cache_control: a scripted Bedrock answer reports the split.
  stack.emulator.enqueue(textAnswer("Paris.", {
    usage: {
      input_tokens: 7,
      output_tokens: 2,
      cache_creation_input_tokens: 3_000,
      cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
    },
  }));
  const chat = await fetch(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model: HAIKU, messages: [{ role: "user", content: "Capital?" }] }),
  });
  assertEquals(chat.status, 200);
  await chat.text();

  // What the emulator reported to each: the default answer's usage for the first four.
  const upstream = stack.emulator.requests;
  assertEquals(upstream.length, 5);
  const reported: Usage[] = upstream.slice(0, 4).map((r) =>
    eventsToMessage(defaultAnswer(r.json as Record<string, unknown>, r.modelId!)).usage as Usage
  );
  reported.push({
    input_tokens: 7,
    output_tokens: 2,
    cache_creation_input_tokens: 3_000,
    cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
  });
  assertEquals(
    answers.map((u) => u.cache_creation),
    reported.slice(0, 2).map((u) => u.cache_creation),
    "the gateway passed the split on",
  );
  for (const u of reported.slice(0, 4)) {
    assert(
      u.cache_creation!.ephemeral_1h_input_tokens > 0 &&
        u.cache_creation!.ephemeral_5m_input_tokens > 0,
    );
  }

  const entries = await ledgerToday(stack);
  const byRoute = new Map(entries.map((e) => [e.route, e]));
  const routes = ["messages", "bedrock_invoke", "bedrock_invoke_stream", "chat_completions"];
  assertEquals([...byRoute.keys()].sort(), [...routes].sort());
  const ordered = [
    ...entries.filter((e) => e.route === "messages").sort((a, b) =>
      Number(a.stream) - Number(b.stream)
    ),
    byRoute.get("bedrock_invoke")!,
    byRoute.get("bedrock_invoke_stream")!,
    byRoute.get("chat_completions")!,
  ];
  let micros = 0;
  let dollars = 0;
  for (const [i, entry] of ordered.entries()) {
    const u = reported[i]!;
    assertEquals(
      [entry.cacheWriteTokens, entry.cacheWrite1hTokens],
      [u.cache_creation_input_tokens, u.cache_creation!.ephemeral_1h_input_tokens],
      entry.route,
    );
    const expected = listPrice(u);
    assert(
      Math.abs(entry.costUsd! - expected) < 1e-12,
      `${entry.route}: ${entry.costUsd} ≠ ${expected}`,
    );
    micros += Math.ceil(expected * 1_000_000);
    dollars += expected;
  }
  const budget = (await stack.policy!.describe(USER)).budgets[0]!;
  assertEquals([budget.spent, budget.reserved], [micros / 1_000_000, 0]);
  const metric = stack.metrics.value("ccgate_cost_usd_total", { model: HAIKU_ID });
  assert(Math.abs(metric - dollars) < 1e-12, `ccgate_cost_usd_total: ${metric} ≠ ${dollars}`);
});

Deno.test("POST /v1/messages escrows a request asking for a 1-hour cache write at the 1-hour write rate", async () => {
  // $0.05 a day: neither request fits with max_tokens 64,000; the refusal names the max_tokens
  // that would, from the input estimate at the dearest rate the request can be charged.
  await using stack = await startGatewayStack({
    policyYaml: TWO_MODEL_CATALOGUE + "defaults:\n  budgets:\n    daily_usd: 0.05\n",
  });
  const fits = async (system: unknown): Promise<number> => {
    const res = await postMessages(stack.url, stack.token, {
      model: HAIKU,
      max_tokens: 64_000,
      system,
      messages: MESSAGES,
    });
    assertEquals(res.status, 400);
    const { message } = (await res.json()).error;
    const at = /lower max_tokens to at most ([\d,]+)/.exec(message);
    assert(at !== null, message);
    return Number(at[1]!.replaceAll(",", ""));
  };
  const oneHour = await fits(SYSTEM);
  const fiveMinute = await fits([{ ...SYSTEM[0], cache_control: { type: "ephemeral" } }]);
  // Each token of input costs $0.75 per million more at the 1-hour rate: 0.15 fewer output tokens.
  const input = estimateInputTokens({ system: SYSTEM, messages: MESSAGES });
  const fewer = fiveMinute - oneHour;
  assert(
    Math.abs(fewer - input * (RATES.write1h - RATES.write5m) / RATES.output) <= 2,
    `${fewer} fewer output tokens for an estimated ${input} input tokens`,
  );
  assertEquals(stack.emulator.requests.length, 0, "both refused before Bedrock");
});
