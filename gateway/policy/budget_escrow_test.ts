/**
 * Acceptance: one user's 50 concurrent streams against a budget that allows
 * 10 never spend past it (one instance: overshoot 0); two gateway instances
 * sharing one KV file enforce one requests-per-minute limit within the
 * stated bound.
 */
import { answerScript, eventsToMessage, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";
import { estimateInputTokens } from "../estimate_input_tokens.ts";
import { costUsd } from "../model_price.ts";
import { readUsage } from "../usage.ts";
import { counterWindow } from "./counter_window.ts";

const HAIKU = "claude-haiku-4-5-20251001";
const PRICE = { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, cacheWrite1h: 2 };
const CATALOGUE = `models:
  ${HAIKU}:
    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0
    price: { input: 1, output: 5 }
`;
const MAX_TOKENS = 1000;
const MESSAGES = [{ role: "user", content: "Hi" }];
/** The escrow of one request, micro-dollars: input estimate at the dearest input rate + max_tokens. */
const WORST = Math.ceil(
  estimateInputTokens({ messages: MESSAGES }) * PRICE.cacheWrite + MAX_TOKENS * PRICE.output,
);
const SUB = "00000000-0000-0000-0000-00000000a11c";
const NOW = new Date("2026-11-30T10:00:20Z");

async function policyFile(rules: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "ccgate-policy-", suffix: ".yaml" });
  await Deno.writeTextFile(path, CATALOGUE + rules);
  return path;
}

async function spentMicros(kv: Deno.Kv): Promise<number> {
  const day = counterWindow("daily", NOW).id;
  const row = await kv.get<Deno.KvU64>(["policy", "usage", `user:${SUB}`, day, "usd_micros"]);
  return Number(row.value?.value ?? 0n);
}

Deno.test("budget escrow: 50 concurrent streams from one user against a budget for 10 → 10 admitted, spend ≤ budget", async () => {
  const limit = Math.floor(10.5 * WORST); // room for 10 worst cases, not 11
  const held = textAnswer(["x"], { usage: { input_tokens: 7, output_tokens: 3 } });
  const path = await policyFile(`defaults:\n  budgets:\n    daily_usd: ${limit / 1_000_000}\n`);
  try {
    await using stack = await startGatewayStack({
      policy: path,
      policyNow: () => NOW,
      emulator: { defaultScript: () => answerScript(held, { hangAfter: 2 }) },
    });
    const body = { model: HAIKU, max_tokens: MAX_TOKENS, messages: MESSAGES, stream: true };
    const calls = await Promise.all(Array.from({ length: 50 }, async () => {
      const controller = new AbortController();
      const response = await postMessages(stack.url, stack.token, body, controller.signal);
      return { controller, response };
    }));
    const admitted = calls.filter((c) => c.response.status === 200);
    const refused = calls.filter((c) => c.response.status === 429);
    assertEquals(admitted.length, 10);
    assertEquals(refused.length, 40);
    assertEquals(stack.emulator.requests.length, 10, "refused requests never reach Bedrock");
    for (const { response } of refused) {
      assertEquals(response.headers.get("x-should-retry"), "true", "in-flight reservations block");
      assertEquals(response.headers.get("retry-after"), "5");
      const error = (await response.json()).error;
      assertEquals(error.type, "rate_limit_error");
      assertStringIncludes(error.message, "rule: defaults.budgets.daily_usd");
    }

    // The client goes away from every open stream: each settles with what was streamed.
    for (const { controller, response } of admitted) {
      controller.abort();
      await response.body?.cancel().catch(() => {});
    }
    await Promise.all(stack.emulator.requests.map((r) => r.closed));
    await stack.policy!.reconcile();
    const start = held[0] as { message: { usage: unknown } };
    const perStream = Math.ceil(costUsd(readUsage(start.message.usage), PRICE) * 1_000_000);
    const spentHeld = await spentMicros(stack.kv);
    assertEquals(spentHeld, 10 * perStream, "aborted streams are charged what they used");
    assert(spentHeld <= limit);

    // Fifty more that run to the end and cost nearly their worst case: still never past the budget.
    const dear = textAnswer(["y"], {
      usage: {
        input_tokens: estimateInputTokens({ messages: MESSAGES }),
        output_tokens: MAX_TOKENS,
      },
    });
    stack.emulator.reset();
    for (let i = 0; i < 50; i++) stack.emulator.enqueue(dear);
    const second = await Promise.all(Array.from({ length: 50 }, async () => {
      const response = await postMessages(stack.url, stack.token, body);
      await response.text();
      return response.status;
    }));
    await stack.policy!.reconcile();
    const spent = await spentMicros(stack.kv);
    const ok = second.filter((s) => s === 200).length;
    assertEquals(second.filter((s) => s !== 200 && s !== 429).length, 0);
    assert(ok >= 1, "the budget left admits at least one more");
    const perDear = Math.ceil(costUsd(readUsage(eventsToMessage(dear).usage), PRICE) * 1_000_000);
    assertEquals(spent, spentHeld + ok * perDear, "completed streams are charged their real usage");
    assert(spent <= limit, `spent ${spent} µ$ > budget ${limit} µ$: the overshoot must be 0`);
    assert(spent + WORST > limit, "only what could not fit was refused");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("rate limits across two gateway instances sharing one KV file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-kv-" });
  const path = await policyFile(`defaults:\n  requests_per_minute: 4\n`);
  const kvA = await Deno.openKv(`${dir}/kv.sqlite3`);
  const kvB = await Deno.openKv(`${dir}/kv.sqlite3`);
  let now = NOW;
  const send = async (url: string, token: string) => {
    const response = await postMessages(url, token, { model: HAIKU });
    await response.body?.cancel();
    return response;
  };
  try {
    await using a = await startGatewayStack({ policy: path, kv: kvA, policyNow: () => now });
    await using b = await startGatewayStack({ policy: path, kv: kvB, policyNow: () => now });
    const tokenB = await b.issuer.mint({ claims: { sub: SUB } });
    // b's tokens come from b's issuer; the user is the same.

    for (let i = 0; i < 3; i++) assertEquals((await send(a.url, a.token)).status, 200);
    await a.policy!.reconcile();
    // b reads the shared count when it first meets this user's minute: one request is left.
    assertEquals((await send(b.url, tokenB)).status, 200);
    const limited = await send(b.url, tokenB);
    assertEquals(limited.status, 429);
    // 40 s to the next minute, then 15 s until a quarter of these 4 has slid out.
    assertEquals(limited.headers.get("retry-after"), "55");
    await b.policy!.reconcile();
    await a.policy!.reconcile();
    assertEquals((await send(a.url, a.token)).status, 429, "a sees b's request after reconciling");

    // The bound: in a fresh minute after an idle one, before any reconciliation, each of N = 2
    // instances admits the whole limit: at most limit + (N − 1) × (limit − 0) = 8, not one more.
    now = new Date(NOW.getTime() + 120_000);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(a.url, a.token)).status);
    for (let i = 0; i < 5; i++) statuses.push((await send(b.url, tokenB)).status);
    assertEquals(statuses.filter((s) => s === 200).length, 8);
    await a.policy!.reconcile();
    await b.policy!.reconcile();
    assertEquals((await send(b.url, tokenB)).status, 429);
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(path);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("budget escrow: a stream cut before its final usage is charged the output it streamed", async () => {
  const path = await policyFile(`defaults:\n  budgets:\n    daily_tokens: 1000000\n`);
  const pieces = Array.from({ length: 6 }, () => "lorem ipsum dolor sit amet ".repeat(4));
  const answer = textAnswer(pieces, { usage: { input_tokens: 20, output_tokens: 1 } });
  try {
    await using stack = await startGatewayStack({
      policy: path,
      policyNow: () => NOW,
      emulator: {
        defaultScript: () => answerScript(answer, { hangAfter: 5 }), // message_start, block start, 3 deltas
      },
    });
    const controller = new AbortController();
    const response = await postMessages(stack.url, stack.token, {
      model: HAIKU,
      max_tokens: MAX_TOKENS,
      stream: true,
    }, controller.signal);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while ((seen.match(/content_block_delta/g) ?? []).length < 3) {
      seen += (await reader.read()).value;
    }
    controller.abort();
    await reader.cancel().catch(() => {});
    assertEquals(await stack.emulator.requests[0]!.closed, "aborted");
    await stack.policy!.reconcile();
    const day = counterWindow("daily", NOW).id;
    const row = await stack.kv.get<Deno.KvU64>(["policy", "usage", `user:${SUB}`, day, "tokens"]);
    const charged = Number(row.value?.value ?? 0n);
    // Three deltas of 108 characters: about 27 real tokens each. The reported count was still 1.
    assert(charged >= 20 + 3 * 27, `charged ${charged} tokens`);
    assert(charged <= 20 + 3 * 50, `charged ${charged} tokens`);
  } finally {
    await Deno.remove(path);
  }
});
