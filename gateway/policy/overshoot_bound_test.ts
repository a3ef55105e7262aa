/**
 * The bound stated in README.md: N instances that last read the shared total
 * G overshoot a limit L by at most (N − 1) × (L − G); one instance never
 * overshoots (when actual usage stays within the reservation).
 */
import { FakeTimers } from "../../testing/fake_timers.ts";
import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { BudgetExceededError, ConcurrencyLimitedError, RateLimitedError } from "../errors.ts";
import type { TokenUsage } from "../usage.ts";
import { compilePolicy } from "./compile_policy.ts";
import { counterWindow } from "./counter_window.ts";
import { parsePolicy } from "./parse_policy.ts";
import { type Admission, type AdmissionRequest, PolicyEngine } from "./policy_engine.ts";

const HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const CATALOGUE = `models:
  haiku:
    bedrock: ${HAIKU}
    price: { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 }
`;
/** Worst case of `request()`: 200 × $1.25/M + 1000 × $5/M, in micro-dollars. */
const WORST = 5_250;
/** A usage that costs exactly the worst case: 250 × $1/M + 1000 × $5/M. */
const WORST_USAGE: TokenUsage = {
  inputTokens: 250,
  outputTokens: 1000,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
};

function request(): AdmissionRequest {
  return {
    subject: { sub: "alice", roles: [], groups: [] },
    modelId: HAIKU,
    maxTokens: 1000,
    inputTokens: () => 200,
  };
}

function instances(n: number, kv: Deno.Kv, rules: string, now: () => Date): PolicyEngine[] {
  const policy = { current: compilePolicy(parsePolicy(CATALOGUE + rules, "policy.yaml")) };
  return Array.from(
    { length: n },
    (_, i) => new PolicyEngine({ policy, kv, timers: new FakeTimers(), now, instanceId: `i${i}` }),
  );
}

/** Admits on `engine` until it refuses; returns the admissions. */
async function fill(engine: PolicyEngine): Promise<Admission[]> {
  const held: Admission[] = [];
  for (;;) {
    try {
      held.push(await engine.admit(request()));
    } catch (err) {
      if (err instanceof BudgetExceededError) return held;
      throw err;
    }
  }
}

for (const n of [1, 2, 3]) {
  for (const spentBefore of [0, 4, 9]) {
    Deno.test(`PolicyEngine with ${n} instance(s) on one KV, ${spentBefore}/10 spent: overshoot ≤ (N − 1) × (L − G)`, async () => {
      const limit = 10 * WORST;
      const kv = await Deno.openKv(":memory:");
      try {
        const now = () => new Date("2026-11-30T10:00:00Z");
        const engines = instances(n, kv, "defaults:\n  budgets:\n    daily_usd: 0.0525\n", now);
        for (let i = 0; i < spentBefore; i++) {
          (await engines[0]!.admit(request())).settle(WORST_USAGE);
        }
        for (const e of engines) await e.reconcile();
        const seen = spentBefore * WORST;

        // Every instance, between two reconciliations, takes all it believes is left.
        const held = (await Promise.all(engines.map(fill))).flat();
        for (const a of held) a.settle(WORST_USAGE);
        for (const e of engines) await e.reconcile();
        const total = seen + held.length * WORST;

        const bound = limit + (n - 1) * (limit - seen);
        assert(total <= bound, `spent ${total} > bound ${bound}`);
        // The bound is reached: it is the real worst case, not a loose estimate.
        assertEquals(total, bound);
        if (n === 1) assert(total <= limit, "one instance never overshoots");
        // Once reconciled, every instance sees the overshoot and refuses.
        for (const e of engines) await assertRejects(() => e.admit(request()), BudgetExceededError);
      } finally {
        kv.close();
      }
    });
  }
}

Deno.test("PolicyEngine.reconcile() lets another instance see the first one's spending", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const now = () => new Date("2026-11-30T10:00:00Z");
    const [a, b] = instances(2, kv, "defaults:\n  budgets:\n    daily_usd: 0.0525\n", now);
    // b reads the (empty) total before a spends.
    (await b!.admit(request())).settle();
    for (let i = 0; i < 10; i++) (await a!.admit(request())).settle(WORST_USAGE);
    await a!.reconcile();
    // b has not re-read yet: it still believes 0 is spent (the overshoot window).
    const early = await b!.admit(request());
    early.settle();
    await b!.reconcile();
    await assertRejects(() => b!.admit(request()), BudgetExceededError);
    // A counter read for the first time is read from KV before admission: c refuses at once.
    const [c] = instances(1, kv, "defaults:\n  budgets:\n    daily_usd: 0.0525\n", now);
    await assertRejects(() => c!.admit(request()), BudgetExceededError);
  } finally {
    kv.close();
  }
});

Deno.test("PolicyEngine counts requests per minute across instances through KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const now = () => new Date("2026-11-30T10:00:10Z");
    const [a, b] = instances(2, kv, "defaults:\n  requests_per_minute: 5\n", now);
    for (let i = 0; i < 3; i++) (await a!.admit(request())).settle();
    await a!.reconcile();
    // b reads a's 3 requests on first sight of the counter: 2 are left.
    (await b!.admit(request())).settle();
    (await b!.admit(request())).settle();
    const err = await assertRejects(() => b!.admit(request()), RateLimitedError);
    // 50 s to the next minute, then 12 s until a fifth of these 5 has slid out.
    assertEquals(err.headers["retry-after"], "62");
    await b!.reconcile();
    await a!.reconcile();
    await assertRejects(() => a!.admit(request()), RateLimitedError);
  } finally {
    kv.close();
  }
});

Deno.test("PolicyEngine: an instance that starts in the next minute reads the previous minute's requests from KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = new Date("2026-11-30T10:00:50Z");
    const [a] = instances(1, kv, "defaults:\n  requests_per_minute: 5\n", () => now);
    for (let i = 0; i < 5; i++) (await a!.admit(request())).settle();
    await a!.reconcile();
    now = new Date("2026-11-30T10:01:10Z");
    await a!.reconcile(); // the ended minute is still needed: not forgotten, not deleted from KV
    const [c] = instances(1, kv, "defaults:\n  requests_per_minute: 5\n", () => now);
    // 5 × 50/60 of the previous minute still counts: no room for one more.
    const err = await assertRejects(() => c!.admit(request()), RateLimitedError);
    assertEquals(err.headers["retry-after"], "2");
    now = new Date("2026-11-30T10:01:12Z");
    (await c!.admit(request())).settle();
  } finally {
    kv.close();
  }
});

Deno.test("PolicyEngine shares requests in flight across instances, and forgets a dead instance's", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = new Date("2026-11-30T10:00:00Z");
    const [a, b] = instances(2, kv, "defaults:\n  concurrent_streams: 2\n", () => now);
    const held = [await a!.admit(request()), await a!.admit(request())];
    await a!.reconcile();
    await assertRejects(() => b!.admit(request()), ConcurrencyLimitedError);
    // a ends one stream and publishes it.
    held[0]!.settle();
    await a!.reconcile();
    await b!.reconcile();
    const one = await b!.admit(request());
    await assertRejects(() => b!.admit(request()), ConcurrencyLimitedError);
    one.settle();
    // a dies holding one stream: after the staleness window (15 s) b stops counting it.
    now = new Date(now.getTime() + 16_000);
    await b!.reconcile();
    const first = await b!.admit(request());
    const second = await b!.admit(request());
    first.settle();
    second.settle();
    held[1]!.settle();
  } finally {
    kv.close();
  }
});

Deno.test("PolicyEngine.start() reconciles on the injected timers until disposed", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const timers = new FakeTimers();
    const policy = {
      current: compilePolicy(
        parsePolicy(CATALOGUE + "defaults:\n  requests_per_minute: 1\n", "p.yaml"),
      ),
    };
    const now = () => new Date("2026-11-30T10:00:00Z");
    const a = new PolicyEngine({ policy, kv, timers, now, reconcileIntervalMs: 1_000 });
    a.start();
    assertEquals(timers.delays, [1_000]);
    (await a.admit(request())).settle();
    timers.advance(1_000);
    await timers.whenPending(1_000); // the next tick is scheduled once the reconcile is done
    const minute = counterWindow("minute", now()).id;
    const row = await kv.get<Deno.KvU64>(["policy", "usage", "user:alice", minute, "requests"]);
    assertEquals(row.value?.value, 1n);
    a[Symbol.dispose]();
    assertEquals(timers.pending, 0);
  } finally {
    kv.close();
  }
});
