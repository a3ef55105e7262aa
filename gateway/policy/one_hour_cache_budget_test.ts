import { FakeTimers } from "../../testing/fake_timers.ts";
import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { BudgetExceededError } from "../errors.ts";
import type { TokenUsage } from "../usage.ts";
import { compilePolicy } from "./compile_policy.ts";
import { parsePolicy } from "./parse_policy.ts";
import { type AdmissionRequest, PolicyEngine } from "./policy_engine.ts";

const HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const alice = { sub: "alice", roles: [], groups: [] };

function engineOf(budget: number, price = "{ input: 1, output: 5 }") {
  const text = `models:
  haiku:
    bedrock: ${HAIKU}
    price: ${price}
defaults:
  budgets:
    daily_usd: ${budget}
    daily_tokens: 1000000
`;
  return new PolicyEngine({
    policy: { current: compilePolicy(parsePolicy(text, "policy.yaml")) },
    timers: new FakeTimers(),
    now: () => new Date("2026-11-30T10:00:00Z"),
  });
}

function request(oneHourCache: boolean): AdmissionRequest {
  return {
    subject: alice,
    modelId: HAIKU,
    maxTokens: 1000,
    inputTokens: () => 200,
    oneHourCache: () => oneHourCache,
  };
}

/** 3 input, 5 output and 10,000 cache-write tokens, `oneHour` of them 1-hour writes. */
function written(oneHour: number): TokenUsage {
  return {
    inputTokens: 3,
    outputTokens: 5,
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 10_000,
    ...(oneHour > 0 ? { cacheCreation1hInputTokens: oneHour } : {}),
  };
}

async function spent(engine: PolicyEngine): Promise<[string, number, number][]> {
  return (await engine.describe(alice)).budgets.map((b) => [b.unit, b.spent, b.reserved]);
}

Deno.test("PolicyEngine settle() charges 1-hour cache writes at cache_write_1h (input x 2 by default), the rest at cache_write", async () => {
  const engine = engineOf(1);
  (await engine.admit(request(true))).settle(written(10_000));
  // Haiku: 3 × $1 + 5 × $5 + 10,000 × $2 (1-hour writes) per million = $0.020028.
  assertEquals(await spent(engine), [["usd", 0.020028, 0], ["tokens", 10_008, 0]]);
  (await engine.admit(request(true))).settle(written(4_000));
  // 6,000 × $1.25 + 4,000 × $2 + $0.000028 = $0.015528 more.
  assertEquals(await spent(engine), [["usd", 0.035556, 0], ["tokens", 20_016, 0]]);
  (await engine.admit(request(false))).settle(written(0));
  // An answer without cache_creation: every write at the 5-minute rate, $0.012528.
  assertEquals(await spent(engine), [["usd", 0.048084, 0], ["tokens", 30_024, 0]]);
});

Deno.test("PolicyEngine charge() of a swept request prices its 1-hour writes at the policy's cache_write_1h", async () => {
  const engine = engineOf(1, "{ input: 1, output: 5, cache_write: 1.5, cache_write_1h: 3 }");
  engine.charge(alice, HAIKU, written(10_000), new Date("2026-11-30T09:00:00Z"));
  assertEquals(await spent(engine), [["usd", 0.030028, 0], ["tokens", 10_008, 0]]);
});

Deno.test("PolicyEngine.admit() escrows a request asking for 1-hour cache writes at the 1-hour write rate", async () => {
  // Worst case of 200 input + 1,000 output on Haiku: at the 5-minute write rate (the dearest
  // input rate of a request without 1-hour writes) $0.00525, at the 1-hour one $0.0054.
  // A $0.0525 budget holds ten of the first, nine of the second.
  const fiveMinute = engineOf(0.0525);
  for (let i = 0; i < 10; i++) await fiveMinute.admit(request(false));
  await assertRejects(() => fiveMinute.admit(request(false)), BudgetExceededError);
  const oneHour = engineOf(0.0525);
  for (let i = 0; i < 9; i++) await oneHour.admit(request(true));
  assertEquals((await spent(oneHour))[0], ["usd", 0, 0.0486]);
  await assertRejects(() => oneHour.admit(request(true)), BudgetExceededError);
});
