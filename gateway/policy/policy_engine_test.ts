import { FakeTimers } from "../../testing/fake_timers.ts";
import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import {
  BudgetExceededError,
  ConcurrencyLimitedError,
  MaxTokensOverLimitError,
  ModelNotAllowedError,
  RateLimitedError,
  RequestOverBudgetError,
} from "../errors.ts";
import type { TokenUsage } from "../usage.ts";
import { compilePolicy } from "./compile_policy.ts";
import { parsePolicy } from "./parse_policy.ts";
import { type AdmissionRequest, PolicyEngine } from "./policy_engine.ts";

const SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const CATALOGUE = `models:
  sonnet:
    bedrock: ${SONNET}
    price: { input: 3, output: 15 }
  haiku:
    bedrock: ${HAIKU}
    price: { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 }
`;

function engineOf(rules: string, options: { kv?: Deno.Kv; now?: () => Date; id?: string } = {}) {
  const policy = { current: compilePolicy(parsePolicy(CATALOGUE + rules, "policy.yaml")) };
  return new PolicyEngine({
    policy,
    kv: options.kv,
    timers: new FakeTimers(),
    now: options.now ?? (() => new Date("2026-11-30T10:00:00Z")),
    instanceId: options.id,
  });
}

const alice = { sub: "alice", roles: ["ccgate.user"], groups: ["eng"] };

function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    subject: alice,
    modelId: HAIKU,
    maxTokens: 1000,
    inputTokens: () => 200,
    ...overrides,
  };
}

function usage(inputTokens: number, outputTokens: number): TokenUsage {
  return { inputTokens, outputTokens, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
}

Deno.test("PolicyEngine.admit() refuses a model outside the catalogue, naming it", async () => {
  const engine = engineOf("");
  const err = await assertRejects(
    () => engine.admit(request({ modelId: "us.anthropic.claude-opus-4-8", requested: "opus" })),
    ModelNotAllowedError,
  );
  assertEquals(err.status, 404);
  assertEquals(err.type, "not_found_error");
  assert(err.message.includes('"opus"') && err.message.includes("rule: models"), err.message);
});

Deno.test("PolicyEngine.admit() applies the model allowlist of the user's groups, and allows all without one", async () => {
  const on = engineOf("defaults:\n  models: [haiku]\ngroups:\n  eng:\n    models: [haiku]\n");
  const err = await assertRejects(
    () => on.admit(request({ modelId: SONNET, requested: "claude-sonnet-4-5" })),
    ModelNotAllowedError,
  );
  assertEquals(
    err.message,
    'Model "claude-sonnet-4-5" is not allowed for you (rule: groups.eng.models; allowed: haiku)',
  );
  (await on.admit(request())).settle();
  const off = engineOf("");
  (await off.admit(request({ modelId: SONNET }))).settle();
});

Deno.test("PolicyEngine.admit() caps a defaulted max_tokens over a refusing limit instead of refusing it", async () => {
  const refuse = engineOf("defaults:\n  max_tokens: 1000\n  max_tokens_mode: refuse\n");
  const admitted = await refuse.admit(request({ maxTokens: 4096, maxTokensDefaulted: true }));
  assertEquals(admitted.cappedMaxTokens, 1000);
  admitted.settle();
  await assertRejects(() => refuse.admit(request({ maxTokens: 4096 })), MaxTokensOverLimitError);
});

Deno.test("PolicyEngine.admit() refuses another geography's profile of a catalogue model", async () => {
  const engine = engineOf("");
  for (const prefix of ["eu.", "global.", "apac.", ""]) {
    const modelId = `${prefix}anthropic.claude-sonnet-4-5-20250929-v1:0`;
    const err = await assertRejects(() => engine.admit(request({ modelId })), ModelNotAllowedError);
    assertEquals(
      err.message,
      `Model ${
        JSON.stringify(modelId)
      } is not allowed: it is not in the gateway policy's model catalogue (rule: models)`,
    );
  }
  (await engine.admit(request({ modelId: SONNET }))).settle();
});

Deno.test("PolicyEngine.admit() allows an id when any catalogue name listing it is allowed", async () => {
  const policy = compilePolicy(parsePolicy(
    CATALOGUE + `  sonnet-eu-team:\n    bedrock: ${SONNET}\n    price: { input: 3, output: 15 }\n` +
      "defaults:\n  models: [haiku]\ngroups:\n  eng:\n    models: [sonnet-eu-team]\n",
    "policy.yaml",
  ));
  const engine = new PolicyEngine({
    policy: { current: policy },
    timers: new FakeTimers(),
    now: () => new Date("2026-11-30T10:00:00Z"),
  });
  (await engine.admit(request({ modelId: SONNET, requested: "sonnet-eu-team" }))).settle();
  const other = { sub: "bob", roles: [], groups: [] };
  await assertRejects(
    () => engine.admit(request({ subject: other, modelId: SONNET })),
    ModelNotAllowedError,
  );
  const listed = engine.allowedModels(alice);
  assertEquals(listed({ name: "sonnet-eu-team", modelId: SONNET }), true);
  assertEquals(engine.allowedModels(other)({ name: "sonnet", modelId: SONNET }), false);
});

Deno.test("PolicyEngine.admit() refuses max_tokens over the limit, or caps it, or lets it pass", async () => {
  const refuse = engineOf("defaults:\n  max_tokens: 4096\n");
  const err = await assertRejects(
    () => refuse.admit(request({ maxTokens: 8000 })),
    MaxTokensOverLimitError,
  );
  assertEquals(err.status, 400);
  assertEquals(
    err.message,
    `max_tokens: 8000 > 4096, which is the maximum allowed number of output tokens for ${HAIKU} on this gateway (rule: defaults.max_tokens)`,
  );
  assertEquals((await refuse.admit(request({ maxTokens: 4096 }))).cappedMaxTokens, undefined);

  const cap = engineOf("defaults:\n  max_tokens: 4096\n  max_tokens_mode: cap\n");
  assertEquals((await cap.admit(request({ maxTokens: 8000 }))).cappedMaxTokens, 4096);
  assertEquals(
    (await engineOf("").admit(request({ maxTokens: 128000 }))).cappedMaxTokens,
    undefined,
  );
});

Deno.test("PolicyEngine.admit() limits requests in flight; settle() frees the slot exactly once", async () => {
  const engine = engineOf("defaults:\n  concurrent_streams: 2\n");
  const a = await engine.admit(request());
  const b = await engine.admit(request());
  const err = await assertRejects(() => engine.admit(request()), ConcurrencyLimitedError);
  assertEquals(err.status, 429);
  assertEquals(err.headers["retry-after"], "5");
  a.settle();
  a.settle();
  const c = await engine.admit(request());
  await assertRejects(() => engine.admit(request()), ConcurrencyLimitedError);
  b.settle();
  c.settle();
  for (let i = 0; i < 5; i++) (await engineOf("").admit(request())).settle();
});

Deno.test("PolicyEngine.admit() limits requests per minute over a sliding minute, not twice the limit across a boundary", async () => {
  let now = new Date("2026-11-30T10:00:45Z");
  const engine = engineOf("defaults:\n  requests_per_minute: 3\n", { now: () => now });
  for (let i = 0; i < 3; i++) (await engine.admit(request())).settle();
  const err = await assertRejects(() => engine.admit(request()), RateLimitedError);
  assertEquals(err.status, 429);
  assertEquals(err.type, "rate_limit_error");
  // 15 s to the next minute, then 20 s until a third of these 3 has slid out.
  assertEquals(err.headers["retry-after"], "35");
  assert(err.message.includes("rule: defaults.requests_per_minute"), err.message);
  assert(err.message.includes("retry after 35 s"), err.message);
  now = new Date("2026-11-30T10:01:00Z");
  const still = await assertRejects(() => engine.admit(request()), RateLimitedError);
  assertEquals(still.headers["retry-after"], "20", "a fixed minute would let 3 more through here");
  now = new Date("2026-11-30T10:01:20Z");
  (await engine.admit(request())).settle();
  await assertRejects(() => engine.admit(request()), RateLimitedError);
  assertEquals((await engine.describe(alice)).requests_per_minute[0]!.used, 3);
  now = new Date("2026-11-30T10:02:59Z");
  assertEquals((await engine.describe(alice)).requests_per_minute[0]!.used, 1);
  for (let i = 0; i < 2; i++) (await engine.admit(request())).settle();
  await assertRejects(() => engine.admit(request()), RateLimitedError);
});

Deno.test("PolicyEngine.admit() pools a group's limits across its members", async () => {
  const engine = engineOf("groups:\n  eng:\n    pool:\n      concurrent_streams: 2\n");
  const a = await engine.admit(request());
  const b = await engine.admit(request({ subject: { ...alice, sub: "bob" } }));
  const err = await assertRejects(
    () => engine.admit(request({ subject: { ...alice, sub: "carol" } })),
    ConcurrencyLimitedError,
  );
  assert(err.message.includes("rule: groups.eng.pool.concurrent_streams"), err.message);
  // Someone outside the group is not held back by it.
  (await engine.admit(request({ subject: { sub: "dave", roles: [], groups: [] } }))).settle();
  a.settle();
  b.settle();
});

Deno.test("PolicyEngine.admit() reserves the worst case against a budget and settle() charges the real usage", async () => {
  // haiku: worst case = 200 input × $1.25/M (cache write, the dearest input) + 1000 output × $5/M
  // = $0.00525; a $0.0525 budget holds exactly ten reservations.
  const engine = engineOf("defaults:\n  budgets:\n    daily_usd: 0.0525\n");
  const admitted = [];
  for (let i = 0; i < 10; i++) admitted.push(await engine.admit(request()));
  const err = await assertRejects(() => engine.admit(request()), BudgetExceededError);
  assertEquals(err.status, 429);
  assertEquals(err.headers["x-should-retry"], "true", "requests in flight hold the budget");
  assert(err.message.includes("rule: defaults.budgets.daily_usd"), err.message);
  // Each request really used 100 in + 100 out = $0.0006: settling frees the difference.
  for (const a of admitted) a.settle(usage(100, 100));
  for (let i = 0; i < 8; i++) (await engine.admit(request())).settle(usage(100, 100));
  // Spent: 18 × $0.0006 = $0.0108; room left for 7 more worst cases, not 8.
  const held = [];
  for (let i = 0; i < 7; i++) held.push(await engine.admit(request()));
  await assertRejects(() => engine.admit(request()), BudgetExceededError);
  for (const a of held) a.settle(usage(250, 1000));
  // Now spent usage alone blocks: no point retrying before midnight UTC (14 h).
  const spent = await assertRejects(() => engine.admit(request()), BudgetExceededError);
  assertEquals(spent.headers["x-should-retry"], "false");
  assertEquals(spent.headers["retry-after"], String(14 * 3600));
});

Deno.test("PolicyEngine.admit() refuses a request larger than the whole budget with 400, no retry-after, naming the max_tokens that fits", async () => {
  // sonnet: 200 input × $3.75/M (cache write) + 160,000 max_tokens × $15/M = $2.40075 > $1.
  const engine = engineOf("defaults:\n  budgets:\n    daily_usd: 1\n");
  const err = await assertRejects(
    () => engine.admit(request({ modelId: SONNET, maxTokens: 160_000 })),
    RequestOverBudgetError,
  );
  assertEquals(err.status, 400);
  assertEquals(err.type, "invalid_request_error");
  assertEquals(err.headers, { "x-should-retry": "false" });
  assertEquals(
    err.message,
    "This request may cost up to $2.40 (an estimated 200 input tokens plus max_tokens 160,000), " +
      "more than the whole budget of $1.00 per day (UTC) per user (rule: defaults.budgets.daily_usd), " +
      "so it cannot be admitted even with nothing spent and retrying will not help: lower max_tokens " +
      "to at most 66,616 (Claude Code: CLAUDE_CODE_MAX_OUTPUT_TOKENS), shorten the conversation, " +
      "or ask your gateway admin to raise the budget",
  );
  // The largest max_tokens it names fits ($0.99999); one more does not.
  await assertRejects(
    () => engine.admit(request({ modelId: SONNET, maxTokens: 66_617 })),
    RequestOverBudgetError,
  );
  const fits = await engine.admit(request({ modelId: SONNET, maxTokens: 66_616 }));
  assertEquals((await engine.describe(alice)).budgets[0]!.reserved, 0.99999);
  fits.settle(usage(200, 100));
  // Spent usage alone blocks one that fits the whole budget: 429 until midnight UTC, as before.
  const held = await engine.admit(request({ modelId: SONNET, maxTokens: 66_000 }));
  held.settle(usage(200, 66_000));
  const later = await assertRejects(
    () => engine.admit(request({ modelId: SONNET, maxTokens: 1_000 })),
    BudgetExceededError,
  );
  assertEquals(later.headers["retry-after"], String(14 * 3600));
});

Deno.test("PolicyEngine.admit() refuses a request whose input alone exceeds a token budget, asking for a shorter conversation", async () => {
  const engine = engineOf("users:\n  alice:\n    budgets:\n      monthly_tokens: 1000\n");
  const err = await assertRejects(
    () => engine.admit(request({ inputTokens: () => 1_500, maxTokens: 10 })),
    RequestOverBudgetError,
  );
  assertEquals(
    err.message,
    "The input of this request alone (an estimated 1,500 tokens) is more than " +
      "the whole budget of 1,000 tokens per month (UTC) per user (rule: users.alice.budgets.monthly_tokens), " +
      "so it cannot be admitted even with nothing spent and retrying will not help: shorten the " +
      "conversation (Claude Code: /compact) or ask your gateway admin to raise the budget",
  );
});

Deno.test("PolicyEngine.admit() refuses a request larger than a budget before limits that ask to wait", async () => {
  const engine = engineOf(
    "defaults:\n  requests_per_minute: 1\n  concurrent_streams: 1\n  budgets:\n    daily_tokens: 1000\n",
  );
  const held = await engine.admit(request({ maxTokens: 100 }));
  // Both the minute and the one slot are used: still the 400, not a 429 to retry into a 400.
  await assertRejects(() => engine.admit(request()), RequestOverBudgetError);
  await assertRejects(() => engine.admit(request({ maxTokens: 100 })), ConcurrencyLimitedError);
  held.settle();
  await assertRejects(() => engine.admit(request({ maxTokens: 100 })), RateLimitedError);
});

Deno.test("PolicyEngine.admit() counts token budgets as input estimate + max_tokens", async () => {
  const engine = engineOf("users:\n  alice:\n    budgets:\n      daily_tokens: 2400\n");
  const a = await engine.admit(request());
  const b = await engine.admit(request());
  await assertRejects(() => engine.admit(request()), BudgetExceededError);
  a.settle(usage(100, 50));
  b.settle(usage(100, 50));
  (await engine.admit(request())).settle();
  // Another user has no budget.
  (await engine.admit(request({ subject: { ...alice, sub: "bob" } }))).settle();
});

Deno.test("PolicyEngine.admit() does not touch any counter when it refuses", async () => {
  const engine = engineOf(
    "defaults:\n  requests_per_minute: 2\n  budgets:\n    daily_tokens: 1000\n",
  );
  const held = await engine.admit(request({ maxTokens: 700 })); // reserves 900 tokens
  // 1,200 tokens: more than the whole budget.
  await assertRejects(() => engine.admit(request()), RequestOverBudgetError);
  // 300 tokens: more than the 100 the request in flight leaves.
  await assertRejects(() => engine.admit(request({ maxTokens: 100 })), BudgetExceededError);
  held.settle();
  // The refused requests did not use up the second request of this minute.
  (await engine.admit(request({ maxTokens: 100 }))).settle();
  await assertRejects(() => engine.admit(request({ maxTokens: 100 })), RateLimitedError);
});

Deno.test("PolicyEngine.allowedModels() and priceOf() follow the policy", () => {
  const engine = engineOf("groups:\n  eng:\n    models: [sonnet]\n");
  const allowed = engine.allowedModels(alice);
  assertEquals(allowed({ name: "claude-sonnet-4-5", modelId: SONNET }), true);
  assertEquals(allowed({ name: "claude-haiku-4-5", modelId: HAIKU }), false);
  assertEquals(
    allowed({ name: "claude-opus-4-8", modelId: "us.anthropic.claude-opus-4-8" }),
    false,
  );
  assertEquals(engine.priceOf(HAIKU), {
    input: 1,
    output: 5,
    cacheRead: 0.1,
    cacheWrite: 1.25,
    cacheWrite1h: 2,
  });
  assertEquals(engine.priceOf(SONNET)?.cacheWrite, 3.75);
  assertEquals(engine.priceOf("us.anthropic.claude-opus-4-8"), undefined);
});

Deno.test("PolicyEngine.describe() reports the effective rules and the usage of a user", async () => {
  const engine = engineOf(
    "defaults:\n  models: [haiku]\n  requests_per_minute: 10\n  budgets:\n    daily_usd: 1\ngroups:\n  eng:\n    pool:\n      concurrent_streams: 4\n",
  );
  const held = await engine.admit(request());
  (await engine.admit(request())).settle(usage(1000, 1000));
  const described = await engine.describe(alice);
  assertEquals(described.models, ["haiku"]);
  assertEquals(described.model_rules, ["defaults.models"]);
  assertEquals(described.max_tokens, null);
  assertEquals(described.requests_per_minute, [
    { scope: "user:alice", limit: 10, rule: "defaults.requests_per_minute", used: 2 },
  ]);
  assertEquals(described.concurrent_streams, [
    { scope: "group:eng", limit: 4, rule: "groups.eng.pool.concurrent_streams", in_flight: 1 },
  ]);
  assertEquals(described.budgets, [{
    scope: "user:alice",
    period: "daily",
    unit: "usd",
    window: "2026-11-30",
    limit: 1,
    rule: "defaults.budgets.daily_usd",
    spent: 0.006,
    reserved: 0.00525,
  }]);
  assertEquals(JSON.parse(JSON.stringify(described)), described, "plain JSON");
  held.settle();
});

Deno.test("PolicyEngine.charge() adds an unsettled request's usage to the budgets of the window it started in", async () => {
  const now = new Date("2026-11-30T10:00:00Z");
  const engine = engineOf(
    "defaults:\n  budgets:\n    daily_usd: 1\n    daily_tokens: 100000\n",
    { now: () => now },
  );
  // Haiku: $1 in, $5 out per million tokens.
  engine.charge(alice, HAIKU, usage(1000, 200), new Date("2026-11-30T09:30:00Z"));
  engine.charge(alice, HAIKU, usage(5000, 0), new Date("2026-11-29T23:59:00Z")); // yesterday's
  const spent = (await engine.describe(alice)).budgets.map((b) => [b.unit, b.spent, b.reserved]);
  assertEquals(spent, [["usd", 0.002, 0], ["tokens", 1200, 0]]);
  engine.charge(alice, "us.anthropic.claude-opus-4-8", usage(10, 0), now); // not in the catalogue
  const after = (await engine.describe(alice)).budgets.map((b) => b.spent);
  assertEquals(after, [0.002, 1210], "tokens counted, no price for dollars");
});

Deno.test("PolicyEngine.admit()'s 429 for a budget names the max_tokens what is left takes, when that is at least 1,024", async () => {
  const engine = engineOf("defaults:\n  budgets:\n    daily_usd: 5\n");
  // $3.50 spent: Claude Code's 128,000 output tokens of sonnet (up to $1.92) no longer fit.
  (await engine.admit(request({ modelId: SONNET, maxTokens: 240_000 }))).settle(
    usage(0, 233_334),
  );
  const err = await assertRejects(
    () => engine.admit(request({ modelId: SONNET, maxTokens: 128_000 })),
    BudgetExceededError,
  );
  assertEquals(err.status, 429);
  assertEquals(err.headers["x-should-retry"], "false");
  const named =
    /what is left takes it with max_tokens of at most ([\d,]+) \(Claude Code: CLAUDE_CODE_MAX_OUTPUT_TOKENS\)$/
      .exec(err.message);
  assert(named !== null, err.message);
  const room = Number(named[1]!.replaceAll(",", ""));
  // ($5 − $3.50001 − 200 input tokens at $3.75/M) / $15/M = 99,949 output tokens.
  assertEquals(room, 99_949);
  (await engine.admit(request({ modelId: SONNET, maxTokens: room }))).settle(usage(200, 10));
  // A few hundred output tokens left: no suggestion.
  (await engine.admit(request({ modelId: SONNET, maxTokens: 99_000 }))).settle(usage(0, 99_000));
  const nearlyAll = await assertRejects(
    () => engine.admit(request({ modelId: SONNET, maxTokens: 128_000 })),
    BudgetExceededError,
  );
  assert(!nearlyAll.message.includes("what is left"), nearlyAll.message);
});
