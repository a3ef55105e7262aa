import { FakeTimers } from "../../testing/fake_timers.ts";
import { assertEquals, assertRejects, assertThrows } from "../../testing/assert.ts";
import { BudgetExceededError, PolicyFileError, RequestOverBudgetError } from "../errors.ts";
import type { TokenUsage } from "../usage.ts";
import { compilePolicy } from "./compile_policy.ts";
import { parsePolicy } from "./parse_policy.ts";
import { type AdmissionRequest, PolicyEngine } from "./policy_engine.ts";

const SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const alice = { sub: "alice", roles: [], groups: [] };
/** Sonnet 4.5 with the 1M context window: $6 / $22.50 past 200K prompt tokens. */
const SONNET_1M =
  "{ input: 3, output: 15, long_context: { above_tokens: 200000, input: 6, output: 22.5 } }";

function catalogue(price: string, extra = ""): string {
  return `models:\n  sonnet:\n    bedrock: ${SONNET}\n    price: ${price}\n${extra}`;
}

function errorOf(text: string): string {
  return assertThrows(() => parsePolicy(text, "policy.yaml"), PolicyFileError).message;
}

function engineOf(budget: number, price = SONNET_1M): PolicyEngine {
  const text = catalogue(price, `defaults:\n  budgets:\n    daily_usd: ${budget}\n`);
  return new PolicyEngine({
    policy: { current: compilePolicy(parsePolicy(text, "policy.yaml")) },
    timers: new FakeTimers(),
    now: () => new Date("2026-11-30T10:00:00Z"),
  });
}

function request(inputTokens: number, maxTokens = 1_000): AdmissionRequest {
  return { subject: alice, modelId: SONNET, maxTokens, inputTokens: () => inputTokens };
}

async function spent(engine: PolicyEngine): Promise<[number, number]> {
  const [usd] = (await engine.describe(alice)).budgets;
  return [usd!.spent, usd!.reserved];
}

/** 150,000 cache-read and `written` cache-write tokens behind 10,000 input tokens; 1,000 out. */
function prompt(written: number): TokenUsage {
  return {
    inputTokens: 10_000,
    outputTokens: 1_000,
    cacheReadInputTokens: 150_000,
    cacheCreationInputTokens: written,
  };
}

Deno.test("compilePolicy() fills a long-context tier's cache rates from its input rate, as the base ones", () => {
  const policy = compilePolicy(parsePolicy(catalogue(SONNET_1M), "policy.yaml"));
  assertEquals(policy.priceOf(SONNET)?.longContext, {
    aboveTokens: 200_000,
    input: 6,
    output: 22.5,
    cacheRead: 6 * 0.1,
    cacheWrite: 6 * 1.25,
    cacheWrite1h: 6 * 2,
  });
  const given = compilePolicy(parsePolicy(
    catalogue(
      "{ input: 3, output: 15, long_context: { above_tokens: 200000, input: 6, output: 22.5, cache_read: 0.5, cache_write: 7, cache_write_1h: 11 } }",
    ),
    "policy.yaml",
  ));
  assertEquals(given.priceOf(SONNET)?.longContext, {
    aboveTokens: 200_000,
    input: 6,
    output: 22.5,
    cacheRead: 0.5,
    cacheWrite: 7,
    cacheWrite1h: 11,
  });
  const flat = compilePolicy(parsePolicy(catalogue("{ input: 3, output: 15 }"), "policy.yaml"));
  assertEquals(Object.hasOwn(flat.priceOf(SONNET)!, "longContext"), false);
});

Deno.test("parsePolicy() names the bad key of a long-context tier", () => {
  const tier = (t: string) => catalogue(`{ input: 3, output: 15, long_context: ${t} }`);
  assertEquals(
    errorOf(tier("{ above_tokens: 0, input: 6, output: 22.5 }")),
    "policy.yaml: models.sonnet.price.long_context.above_tokens: Too small: expected number to be >0",
  );
  assertEquals(
    errorOf(tier("{ above_tokens: 200000, input: 6 }")),
    "policy.yaml: models.sonnet.price.long_context.output: Expected number, received undefined",
  );
  assertEquals(
    errorOf(tier("{ above_tokens: 200000, input: 6, output: 22.5, threshold: 1 }")),
    "policy.yaml: models.sonnet.price.long_context.threshold: Unknown key",
  );
  assertEquals(
    errorOf(tier("{ above_tokens: 200000, input: 0.006, output: 22.5 }")),
    "policy.yaml: models.sonnet.price.long_context.input: Expected at least the base input rate, 3",
  );
  assertEquals(
    errorOf(tier("{ above_tokens: 200000, input: 6, output: -1 }")),
    "policy.yaml: models.sonnet.price.long_context.output: Too small: expected number to be >=0",
  );
});

Deno.test("parsePolicy() refuses entries sharing a Bedrock id with different long-context tiers", () => {
  const twin = (price: string) =>
    catalogue(SONNET_1M, `  sonnet-1m:\n    bedrock: ${SONNET}\n    price: ${price}\n`);
  const differs =
    `policy.yaml: models["sonnet-1m"].price: Differs from models.sonnet.price, which lists the same Bedrock id "${SONNET}"`;
  assertEquals(errorOf(twin("{ input: 3, output: 15 }")), differs);
  assertEquals(
    errorOf(twin(
      "{ input: 3, output: 15, long_context: { above_tokens: 100000, input: 6, output: 22.5 } }",
    )),
    differs,
  );
  assertEquals(
    errorOf(twin(
      "{ input: 3, output: 15, long_context: { above_tokens: 200000, input: 6, output: 22.5, cache_read: 0.5 } }",
    )),
    differs,
  );
  const same = parsePolicy(
    twin(
      "{ input: 3, output: 15, long_context: { above_tokens: 200000, input: 6, output: 22.5, cache_read: 0.6 } }",
    ),
    "policy.yaml",
  );
  assertEquals(Object.keys(same.models), ["sonnet", "sonnet-1m"]);
});

Deno.test("PolicyEngine settle() charges a request past the threshold at the long-context rates", async () => {
  const engine = engineOf(10);
  (await engine.admit(request(1_000))).settle(prompt(40_000));
  // 200,000 prompt tokens: base rates. 10,000 × $3 + 150,000 × $0.30 + 40,000 × $3.75
  // + 1,000 × $15 per million = $0.24.
  assertEquals(await spent(engine), [0.24, 0]);
  (await engine.admit(request(1_000))).settle(prompt(40_001));
  // 200,001: every token at the long rates: 10,000 × $6 + 150,000 × $0.60 + 40,001 × $7.50
  // + 1,000 × $22.50 = $0.4725075, rounded up to the micro-dollar.
  assertEquals(await spent(engine), [0.712508, 0]);
});

Deno.test("PolicyEngine charge() of a swept request past the threshold uses the long-context rates", async () => {
  const engine = engineOf(10);
  engine.charge(alice, SONNET, prompt(40_001), new Date("2026-11-30T09:00:00Z"));
  assertEquals(await spent(engine), [0.472508, 0]);
});

Deno.test("PolicyEngine.admit() escrows an input estimate past the threshold at the long-context rates", async () => {
  // 200,001 estimated input tokens at the dearest long input rate (cache write, $7.50) plus
  // 1,000 × $22.50: $1.5225075; at the base rates it would be $0.7650 (3.75 and 15).
  const engine = engineOf(3);
  await engine.admit(request(200_001));
  assertEquals(await spent(engine), [0, 1.522508]);
  await assertRejects(() => engine.admit(request(200_001)), BudgetExceededError);
  // At the threshold itself: base rates, $0.765.
  const base = engineOf(3);
  await base.admit(request(200_000));
  assertEquals(await spent(base), [0, 0.765]);
});

Deno.test("PolicyEngine.admit() names the max_tokens that fits from the long-context output rate", async () => {
  // $2 a day: 200,001 input tokens escrow $1.5000075 at $7.50; $0.4999925 is left for output:
  // 22,221 tokens at $22.50 per million (33,332 at the base $15 would not fit).
  const engine = engineOf(2);
  const err = await assertRejects(
    () => engine.admit(request(200_001, 64_000)),
    RequestOverBudgetError,
  );
  assertEquals(err.message.includes("lower max_tokens to at most 22,221 "), true, err.message);
});

Deno.test("the example policy prices Sonnet 4.5's 1M window and Haiku 5.5 past their thresholds", async () => {
  const text = await Deno.readTextFile(new URL("../../docs/policy.example.yaml", import.meta.url));
  const policy = compilePolicy(parsePolicy(text, "policy.example.yaml"));
  assertEquals(policy.priceOf(SONNET)?.longContext, {
    aboveTokens: 200_000,
    input: 6,
    output: 22.5,
    cacheRead: 0.6,
    cacheWrite: 7.5,
    cacheWrite1h: 12,
  });
  assertEquals(policy.priceOf("us.anthropic.claude-haiku-5-5")?.longContext, {
    aboveTokens: 100_000,
    input: 0.5,
    output: 2.5,
    cacheRead: 0.05,
    cacheWrite: 0.625,
    cacheWrite1h: 1,
  });
  assertEquals(policy.priceOf("us.anthropic.claude-opus-5-5")?.longContext, undefined);
});
