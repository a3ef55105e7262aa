/**
 * A request larger than a whole budget, through the gateway's routes over a
 * real socket, in front of the Bedrock emulator: refused at once with what to
 * change, where a request that only fits later still gets a 429 until the
 * budget's reset.
 */
import { answerScript, textAnswer } from "@ccgate/emulators";
import { assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { postInvoke, postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";

const SONNET = "claude-sonnet-4-5-20250929";
const SONNET_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const POLICY = `models:
  ${SONNET}:
    bedrock: ${SONNET_ID}
    price: { input: 3, output: 15 }
defaults:
  budgets:
    daily_usd: 1
`;

Deno.test("POST /v1/messages answers 400 without retry-after when the request is larger than the whole budget, 429 until midnight when it only fits later", async () => {
  const at = new Date("2026-11-30T10:00:20Z");
  await using stack = await startGatewayStack({ policyYaml: POLICY, policyNow: () => at });

  // $15/M output: 160,000 max_tokens may cost $2.40, more than the $1 of the whole day.
  const never = await postMessages(stack.url, stack.token, { max_tokens: 160_000 });
  assertEquals(never.status, 400);
  assertEquals(never.headers.get("retry-after"), null);
  assertEquals(never.headers.get("x-should-retry"), "false");
  const body = await never.json();
  assertEquals(body.type, "error");
  assertEquals(body.error.type, "invalid_request_error");
  assertStringIncludes(body.error.message, "This request may cost up to $2.40");
  assertStringIncludes(body.error.message, "rule: defaults.budgets.daily_usd");
  assertStringIncludes(body.error.message, "lower max_tokens to at most 66,");
  const native = await postInvoke(stack, SONNET_ID, { maxTokens: 160_000 });
  assertEquals(native.status, 400);
  assertEquals(native.headers.get("x-amzn-errortype"), "ServiceQuotaExceededException");
  assertStringIncludes((await native.json()).message, "rule: defaults.budgets.daily_usd");
  assertEquals(stack.emulator.requests.length, 0, "never sent to Bedrock");

  // $0.60 spent (40,000 output tokens): 32,000 more max_tokens ($0.48) fit the budget, not today.
  stack.emulator.enqueue(answerScript(textAnswer("ok", { usage: { output_tokens: 40_000 } })));
  const spent = await postMessages(stack.url, stack.token, { max_tokens: 64_000 });
  assertEquals(spent.status, 200);
  await spent.text();
  const later = await postMessages(stack.url, stack.token, { max_tokens: 32_000 });
  assertEquals(later.status, 429);
  assertEquals(later.headers.get("retry-after"), String(13 * 3600 + 59 * 60 + 40));
  assertEquals(later.headers.get("x-should-retry"), "false");
  assertEquals((await later.json()).error.type, "rate_limit_error");

  // Recorded like every other refusal: rejected, its code, nothing charged.
  const refusals = stack.logs.filter((l) => l.msg === "messages" && l.outcome === "rejected");
  assertEquals(
    refusals.map((l) => [l.status, l.error_type, l.cost_usd]),
    [[400, "request_over_budget", 0], [429, "budget_exceeded", 0]],
  );
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  assertStringIncludes(metrics, 'ccgate_budget_rejections_total{route="messages"} 2');
});

Deno.test("POST /v1/messages over several whole budgets names the one leaving the least room, so the max_tokens it suggests fits every budget", async () => {
  // Haiku, $5 per million output tokens: a user's own $1 a day, and their group's pool of $0.50.
  const policy = `models:
  claude-haiku-4-5-20251001:
    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0
    price: { input: 1, output: 5 }
defaults:
  budgets: { daily_usd: 1 }
groups:
  eng:
    pool:
      budgets: { daily_usd: 0.5 }
`;
  await using stack = await startGatewayStack({ policyYaml: policy });
  const member = await stack.issuer.mint({ claims: { groups: ["eng"] } });
  const body = { model: "claude-haiku-4-5-20251001" };
  // 250,000 max_tokens may cost $1.25: over both budgets.
  const never = await postMessages(stack.url, member, { ...body, max_tokens: 250_000 });
  assertEquals(never.status, 400);
  const message: string = (await never.json()).error.message;
  assertStringIncludes(message, "rule: groups.eng.pool.budgets.daily_usd");
  const suggested = Number(
    /lower max_tokens to at most ([\d,]+)/.exec(message)![1]!.replace(/,/g, ""),
  );
  assertEquals(suggested < 100_000, true, `suggested ${suggested}`);
  // What it suggests is admitted.
  const fits = await postMessages(stack.url, member, { ...body, max_tokens: suggested });
  assertEquals(fits.status, 200);
  await fits.body?.cancel();
});
