/**
 * A policy reload while a stream runs, across UTC midnight, through the
 * gateway over a real socket: the stream goes on under the admission it got
 * (its model, its price, the day it started), and the reload applies to the
 * requests after it.
 */
import { answerScript, textAnswer } from "@ccgate/emulators";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";

const HAIKU = "claude-haiku-4-5-20251001";
const SONNET = "claude-sonnet-4-5-20250929";
const CATALOGUE = `models:
  ${HAIKU}:
    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0
    price: { input: 1, output: 5 }
  ${SONNET}:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
`;
const RULES = `defaults:
  models: [${HAIKU}, ${SONNET}]
  budgets: { daily_usd: 10 }
`;
const SUB = "00000000-0000-0000-0000-00000000a11c";

async function spentMicros(kv: Deno.Kv, day: string): Promise<number> {
  const row = await kv.get<Deno.KvU64>(["policy", "usage", `user:${SUB}`, day, "usd_micros"]);
  return Number(row.value?.value ?? 0n);
}

Deno.test("a reload during a stream that crosses midnight: the stream ends under its admission (model, price, day); the next request meets the new policy", async () => {
  let now = new Date("2026-11-30T23:59:50Z");
  // 7 input and 3 output tokens: $0.000022 at Haiku's $1 / $5 per million.
  const answer = textAnswer(["Still ", "here."], { usage: { input_tokens: 7, output_tokens: 3 } });
  await using stack = await startGatewayStack({
    policyYaml: CATALOGUE + RULES,
    policyNow: () => now,
    // The end of the answer comes a while after its start: the reload falls in between.
    emulator: {
      defaultScript: () =>
        answerScript(answer, { silences: [{ beforeEvent: answer.length - 2, ms: 300 }] }),
    },
  });
  const response = await postMessages(stack.url, stack.token, {
    model: HAIKU,
    max_tokens: 100,
    stream: true,
  });
  assertEquals(response.status, 200);
  const reader = response.body!.getReader();
  await reader.read();

  // Haiku leaves the allowlist and costs 100 times as much; the clock passes midnight.
  await Deno.writeTextFile(
    stack.policyPath!,
    CATALOGUE.replace("input: 1, output: 5", "input: 100, output: 500") +
      RULES.replace(`[${HAIKU}, ${SONNET}]`, `[${SONNET}]`),
  );
  assertEquals(await stack.policyFile!.reload(), "reloaded");
  now = new Date("2026-12-01T00:00:10Z");

  let text = "";
  const decoder = new TextDecoder();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    text += decoder.decode(r.value, { stream: true });
  }
  assertStringIncludes(text, "event: message_stop");

  const refused = await postMessages(stack.url, stack.token, { model: HAIKU, max_tokens: 100 });
  assertEquals(refused.status, 404);
  assertStringIncludes((await refused.json()).error.message, "rule: defaults.models");

  await stack.policy!.reconcile();
  assertEquals(await spentMicros(stack.kv, "2026-11-30"), 22, "the day it started, its price");
  assertEquals(await spentMicros(stack.kv, "2026-12-01"), 0);
  const today = await stack.policy!.describe({ sub: SUB, roles: [], groups: [] });
  assertEquals(today.budgets.map((b) => [b.window, b.spent]), [["2026-12-01", 0]]);
});
