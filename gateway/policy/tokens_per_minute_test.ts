/**
 * `tokens_per_minute`: input tokens per user (or group pool) over a sliding
 * minute, on the engine with a fake clock and through the gateway's routes.
 */
import { FakeTimers } from "../../testing/fake_timers.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../testing/assert.ts";
import { postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";
import { RateLimitedError, RequestOverBudgetError } from "../errors.ts";
import { estimateInputTokens } from "../estimate_input_tokens.ts";
import type { TokenUsage } from "../usage.ts";
import { hangScript, textAnswer } from "@ccgate/emulators";
import { compilePolicy } from "./compile_policy.ts";
import { counterWindow } from "./counter_window.ts";
import { parsePolicy } from "./parse_policy.ts";
import { type AdmissionRequest, PolicyEngine } from "./policy_engine.ts";

const HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const CATALOGUE = `models:
  claude-haiku-4-5-20251001:
    bedrock: ${HAIKU}
    price: { input: 1, output: 5 }
`;

function engineOf(rules: string, now: () => Date, kv?: Deno.Kv): PolicyEngine {
  return new PolicyEngine({
    policy: { current: compilePolicy(parsePolicy(CATALOGUE + rules, "policy.yaml")) },
    kv,
    timers: new FakeTimers(),
    now,
  });
}

const alice = { sub: "alice", roles: [], groups: ["eng"] };
/** The `sub` of the gateway stack's test token. */
const USER = "00000000-0000-0000-0000-00000000a11c";

function request(inputTokens: number, sub = "alice"): AdmissionRequest {
  return {
    subject: { ...alice, sub },
    modelId: HAIKU,
    maxTokens: 100,
    inputTokens: () => inputTokens,
  };
}

function usage(input: number, cacheRead = 0, cacheWrite = 0): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: 50,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
  };
}

Deno.test("PolicyEngine.admit() counts input estimates against tokens_per_minute over a sliding minute, with a computed retry-after", async () => {
  let at = new Date("2026-11-30T10:00:20Z");
  const engine = engineOf("defaults:\n  tokens_per_minute: 1000\n", () => at);
  (await engine.admit(request(400))).settle();
  (await engine.admit(request(400))).settle();
  const err = await assertRejects(() => engine.admit(request(400)), RateLimitedError);
  assertEquals(err.status, 429);
  assertEquals(err.type, "rate_limit_error");
  // 800 counted at 10:00:20; 400 more fit once 800 × w ≤ 600: 15 s into the next minute.
  assertEquals(err.headers["retry-after"], String(40 + 15));
  assertEquals(
    err.message,
    "Limit of 1,000 input tokens per minute per user reached (rule: defaults.tokens_per_minute): " +
      "800 in the last minute, this request an estimated 400; retry after 55 s",
  );
  // A smaller request still fits; the refused one was not counted.
  (await engine.admit(request(200))).settle();
  assertEquals((await engine.describe(alice)).tokens_per_minute, [
    { scope: "user:alice", limit: 1000, rule: "defaults.tokens_per_minute", used: 1000 },
  ]);
  // Someone else has their own minute.
  (await engine.admit(request(400, "bob"))).settle();
  // 1,000 counted last minute: 400 more fit once 1,000 × w ≤ 600, 24 s into this one.
  at = new Date("2026-11-30T10:01:23Z");
  await assertRejects(() => engine.admit(request(400)), RateLimitedError);
  at = new Date("2026-11-30T10:01:24Z");
  (await engine.admit(request(400))).settle();
});

Deno.test("PolicyEngine.admit() refuses with 400 a request whose input estimate alone is over tokens_per_minute", async () => {
  const engine = engineOf(
    "groups:\n  eng:\n    pool:\n      tokens_per_minute: 5000\n",
    () => new Date("2026-11-30T10:00:00Z"),
  );
  const err = await assertRejects(() => engine.admit(request(6000)), RequestOverBudgetError);
  assertEquals(err.status, 400);
  assertEquals(err.headers, { "x-should-retry": "false" });
  assertEquals(
    err.message,
    "The input of this request alone (an estimated 6,000 tokens) is more than the limit of " +
      "5,000 input tokens per minute for the group (rule: groups.eng.pool.tokens_per_minute), so " +
      "it cannot be admitted and retrying will not help: shorten the conversation " +
      "(Claude Code: /compact) or ask your gateway admin to raise the limit",
  );
  (await engine.admit(request(5000))).settle();
});

Deno.test("Admission.settle() corrects tokens_per_minute to Bedrock's prompt: adds the excess, credits back the surplus", async () => {
  const engine = engineOf(
    "defaults:\n  tokens_per_minute: 10000\n",
    () => new Date("2026-11-30T10:00:30Z"),
  );
  const used = async () => (await engine.describe(alice)).tokens_per_minute[0]!.used;
  // Estimated 200; Bedrock counted 100 input + 300 cache read + 400 cache write = 800.
  (await engine.admit(request(200))).settle(usage(100, 300, 400));
  assertEquals(await used(), 800);
  // Estimated 500, counted 100: 400 go back.
  (await engine.admit(request(500))).settle(usage(100));
  assertEquals(await used(), 900);
  // Failed before an answer: the estimate stays (it may have been billed).
  (await engine.admit(request(700))).settle();
  assertEquals(await used(), 1600);
  // The gateway's own estimate of a call that was never answered: the admission's estimate stays.
  (await engine.admit(request(300))).settle(usage(50), { promptEstimated: true });
  assertEquals(await used(), 1900);
});

Deno.test("Admission.settle() credits the surplus back to the minute the estimate was counted in", async () => {
  let at = new Date("2026-11-30T10:00:50Z");
  const engine = engineOf("defaults:\n  tokens_per_minute: 1000\n", () => at);
  const admission = await engine.admit(request(600));
  // Refused while the estimate counts: 600 + 900 > 1,000.
  await assertRejects(() => engine.admit(request(900)), RateLimitedError);
  at = new Date("2026-11-30T10:01:10Z");
  admission.settle(usage(100));
  // The previous minute holds 100, not 600: 100 × 50/60 = 84 (rounded up), and 900 fit again.
  assertEquals((await engine.describe(alice)).tokens_per_minute[0]!.used, 84);
  (await engine.admit(request(900))).settle(usage(900));
});

/** Runs `body` with two engines (instances) of a 1,000 tokens_per_minute limit on one KV file. */
async function twoInstances(
  body: (a: PolicyEngine, b: PolicyEngine) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const kvA = await Deno.openKv(`${dir}/kv.sqlite3`);
  const kvB = await Deno.openKv(`${dir}/kv.sqlite3`);
  try {
    const now = () => new Date("2026-11-30T10:00:30Z");
    await body(
      engineOf("defaults:\n  tokens_per_minute: 1000\n", now, kvA),
      engineOf("defaults:\n  tokens_per_minute: 1000\n", now, kvB),
    );
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("PolicyEngine.admit() shares tokens_per_minute counts across instances through KV", async () => {
  await twoInstances(async (a, b) => {
    (await a.admit(request(700))).settle();
    await a.reconcile();
    await assertRejects(() => b.admit(request(400)), RateLimitedError);
    (await b.admit(request(300))).settle();
  });
});

Deno.test("PolicyEngine.admit() shares tokens_per_minute credits across instances through KV", async () => {
  await twoInstances(async (a, b) => {
    // Estimated 700, counted 200: b reads both counters in its first load, and 700 more fit.
    (await a.admit(request(700))).settle(usage(200));
    await a.reconcile();
    (await b.admit(request(700))).settle();
    assertEquals((await b.describe(alice)).tokens_per_minute[0]!.used, 900);
    await b.reconcile();
    await a.reconcile();
    await assertRejects(() => a.admit(request(200)), RateLimitedError);
  });
});

Deno.test("PolicyEngine deletes a minute's token and credit counters from KV once the minute no longer counts", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let at = new Date("2026-11-30T10:00:30Z");
    const engine = engineOf("defaults:\n  tokens_per_minute: 1000\n", () => at, kv);
    (await engine.admit(request(600))).settle(usage(100));
    await engine.reconcile();
    const minute = counterWindow("minute", at).id;
    const rows = () =>
      kv.getMany<Deno.KvU64[]>([
        ["policy", "usage", "user:alice", minute, "tokens"],
        ["policy", "usage", "user:alice", minute, "tokens_credited"],
      ]);
    assertEquals((await rows()).map((r) => r.value?.value), [600n, 500n]);
    at = new Date("2026-11-30T10:02:00Z"); // the next minute has ended: 10:00 is no one's previous
    await engine.reconcile();
    // The deletes are not awaited by the reconciliation.
    for (let i = 0; i < 50 && (await rows()).some((r) => r.value !== null); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals((await rows()).map((r) => r.value), [null, null]);
  } finally {
    kv.close();
  }
});

Deno.test("POST /v1/messages answers 429 with retry-after over tokens_per_minute, and GET /admin/api/policy shows the count", async () => {
  const body = {
    model: "claude-haiku-4-5-20251001",
    max_tokens: 32,
    messages: [{ role: "user", content: "Hi ".repeat(400) }],
  };
  const estimate = estimateInputTokens(body);
  const at = new Date("2026-11-30T10:00:20Z");
  // Bedrock counts the prompt as estimated: nothing is added or credited back.
  await using stack = await startGatewayStack({
    // Room for two such requests and a half, not three.
    policyYaml: `${CATALOGUE}defaults:\n  tokens_per_minute: ${
      2 * estimate + Math.ceil(estimate / 2)
    }\n`,
    policyNow: () => at,
    emulator: { defaultScript: () => textAnswer("Hi", { usage: { input_tokens: estimate } }) },
  });
  for (let i = 0; i < 2; i++) {
    const ok = await postMessages(stack.url, stack.token, body);
    assertEquals(ok.status, 200);
    await ok.text();
  }
  const limited = await postMessages(stack.url, stack.token, body);
  assertEquals(limited.status, 429);
  const error = (await limited.json()).error;
  assertEquals(error.type, "rate_limit_error");
  assertStringIncludes(error.message, "rule: defaults.tokens_per_minute");
  // 2e counted at 10:00:20, e more fit once 2e × w ≤ 1.5e: 15 s into the next minute (at most).
  assertEquals(limited.headers.get("retry-after"), "55");
  assertEquals(stack.emulator.requests.length, 2);

  const admin = await stack.issuer.mint({
    claims: { sub: "admin-1", sid: "sess-admin", roles: ["ccgate.admin"] },
  });
  await stack.ledger.flush();
  const view = await fetch(`${stack.url}/admin/api/policy?user=${USER}&roles=&groups=`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  assertEquals(view.status, 200);
  const [limit] = (await view.json()).policy.tokens_per_minute;
  assertEquals(limit.rule, "defaults.tokens_per_minute");
  assertEquals(limit.used, 2 * estimate);
});

Deno.test("POST /v1/messages admits Claude Code again once its over-estimated prompts are credited back, and refuses at the limit", async () => {
  const recorded = JSON.parse(
    await Deno.readTextFile(
      new URL("../testdata/claude_code_2.1.197_messages_request.json", import.meta.url),
    ),
  );
  const estimate = estimateInputTokens(recorded.body);
  const limit = 2 * estimate + Math.ceil(estimate / 2);
  const at = new Date("2026-11-30T10:00:20Z");
  await using stack = await startGatewayStack({
    policyYaml: `models:\n  claude-opus-4-8:\n    bedrock: us.anthropic.claude-opus-4-8\n` +
      `    price: { input: 5, output: 25 }\ndefaults:\n  tokens_per_minute: ${limit}\n`,
    policyNow: () => at,
  });
  const send = () =>
    fetch(`${stack.url}${recorded.url}`, {
      method: "POST",
      headers: { ...recorded.headers, authorization: `Bearer ${stack.token}` },
      body: JSON.stringify(recorded.body),
    });
  // The prompt Bedrock counted (input + cache read + cache write), from each stream's message_start.
  const prompts: number[] = [];
  let refused: Response | undefined;
  while (refused === undefined && prompts.length < 50) {
    const res = await send();
    if (res.status === 429) refused = res;
    else {
      assertEquals(res.status, 200);
      const start = /event: message_start\ndata: (.*)\n/.exec(await res.text());
      const u = JSON.parse(start![1]!).message.usage;
      prompts.push(
        u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
      );
    }
  }
  const counted = prompts[0]!;
  assert(counted < estimate, `the emulator counted ${counted} of an estimated ${estimate}`);
  assertEquals(prompts, prompts.map(() => counted));
  // Without the credit the third request was refused (two estimates and a half of room). Now
  // each counts what Bedrock counted, and one more is admitted while its estimate still fits.
  assert(prompts.length > 2, `${prompts.length} admitted`);
  assertEquals(prompts.length, 1 + Math.floor((limit - estimate) / counted));
  const used = prompts.length * counted;
  assertStringIncludes(
    (await refused!.json()).error.message,
    `${used.toLocaleString("en-US")} in the last minute, this request an estimated ` +
      estimate.toLocaleString("en-US"),
  );
  assertEquals(stack.emulator.requests.length, prompts.length);

  const admin = await stack.issuer.mint({
    claims: { sub: "admin-1", sid: "sess-admin", roles: ["ccgate.admin"] },
  });
  const view = await fetch(`${stack.url}/admin/api/policy?user=${USER}&roles=&groups=`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  assertEquals((await view.json()).policy.tokens_per_minute[0].used, used);
});

Deno.test("POST /v1/messages keeps the estimate counted when Bedrock never answered and the prompt was most likely billed", async () => {
  const recorded = JSON.parse(
    await Deno.readTextFile(new URL("../testdata/deferred_tools_request.json", import.meta.url)),
  );
  // Its Bedrock body estimates lower than the request (the translation drops fields): the
  // gateway's estimate of what was billed is no count of Bedrock's, and credits nothing back.
  const estimate = estimateInputTokens(recorded.body);
  const timers = new FakeTimers();
  await using stack = await startGatewayStack({
    policyYaml: `models:\n  claude-sonnet-4-6:\n    bedrock: us.anthropic.claude-sonnet-4-6\n` +
      `    price: { input: 3, output: 15 }\ndefaults:\n  tokens_per_minute: 100000\n`,
    policyNow: () => new Date("2026-11-30T10:00:20Z"),
    timers,
    env: { CCGATE_FIRST_BYTE_TIMEOUT_MS: "1000" },
  });
  stack.emulator.enqueue(hangScript());
  const response = fetch(`${stack.url}/v1/messages`, {
    method: "POST",
    headers: { ...recorded.headers, authorization: `Bearer ${stack.token}` },
    body: JSON.stringify({ ...recorded.body, stream: true }),
  });
  await stack.emulator.waitForRequests(1);
  await timers.whenPending(1000);
  timers.advance(1000);
  const answered = await response;
  assertEquals(answered.status, 504);
  await answered.body?.cancel();
  await stack.lifecycle.whenIdle();
  const user = { sub: USER, roles: [], groups: [] };
  assertEquals((await stack.policy!.describe(user)).tokens_per_minute[0]!.used, estimate);
});
