/**
 * The gateway as several instances over one KV: `gateway/main.ts` processes
 * (and `auth/main.ts`) opening one KV file (`CCGATE_KV_PATH`), standing in
 * for Deno Deploy's isolates or self-hosted instances on one KV Connect URL.
 */
import { answerScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { type Instance, startMultiInstanceStack } from "../testing/multi_instance_stack.ts";
import { dayOf, type LedgerEntry } from "./ledger/ledger_entry.ts";
import { ENTRY_PREFIX, OPEN_PREFIX, WAL_PREFIX } from "./ledger/roll_up_entry.ts";
import { UsageLedger } from "./ledger/usage_ledger.ts";
import { queryUsage } from "./ledger/usage_query.ts";
import { retryWhenLocked } from "./retry_when_locked.ts";

const USER = "00000000-0000-4000-8000-0000000de7e1"; // the Entra emulator's dev user (an admin)
const POLICY = `
version: 1
models:
  sonnet:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
defaults:
  models: [sonnet]
  budgets: { daily_usd: 100 }
`;

function headers(token: string): HeadersInit {
  return {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
  };
}

function send(
  gateway: Instance,
  token: string,
  options: { stream?: boolean; maxTokens?: number } = {},
): Promise<Response> {
  return fetch(`${gateway.url}/v1/messages`, {
    method: "POST",
    headers: headers(token),
    body: JSON.stringify({
      model: "sonnet",
      max_tokens: options.maxTokens ?? 100,
      stream: options.stream ?? false,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
}

/** Polls `check` (every 100 ms, at most `withinMs`) until it is true; returns how long it took. */
async function waitFor(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) throw new Error(`Not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - start;
}

async function listed<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of kv.list<T>({ prefix })) out.push(entry.value);
  return out;
}

Deno.test("gateway/main.ts x3 on one KV file: 90 requests at once over the instances, one of them starting (and recovering the others' write-ahead log) meanwhile, leave 90 ledger entries and usage rows counting each once", async () => {
  // Roll-ups wait for the drain: the entries sit in the write-ahead log, where the third
  // instance's start-up recover() finds them while their writers are still running.
  await using stack = await startMultiInstanceStack({
    gateways: 2,
    policy: POLICY,
    gatewayEnv: { CCGATE_LEDGER_FLUSH_MS: "600000" },
  });
  const { accessToken } = await stack.signIn();
  const burst = (gateways: Instance[], count: number) =>
    Promise.all(Array.from({ length: count }, async (_, i) => {
      const response = await send(gateways[i % gateways.length]!, accessToken, {
        stream: i % 2 === 0,
      });
      await response.text();
      assertEquals(response.status, 200);
      return response.headers.get("request-id")!;
    }));
  const first = burst(stack.gateways, 60);
  using kv = retryWhenLocked(await Deno.openKv(stack.kvPath));
  await waitFor(async () => (await listed(kv, WAL_PREFIX)).length >= 20, 60_000);
  const third = await stack.startGateway();
  const ids = [...await first, ...await burst([...stack.gateways, third], 30)];
  // SIGTERM drains: each instance rolls up what it logged, some of it already rolled up by the
  // third instance's recover().
  for (const gateway of [...stack.gateways, third]) await gateway.process.stop("SIGTERM");

  assertEquals(await listed(kv, WAL_PREFIX), []);
  const entries = await listed<LedgerEntry>(kv, ENTRY_PREFIX);
  assertEquals(entries.map((e) => e.requestId).sort(), ids.sort());
  const today = dayOf(new Date());
  const rows = await queryUsage(kv, { from: today, to: today, user: USER });
  assertEquals(rows.length, 1);
  assertEquals(rows[0]!.requests, 90);
  assertEquals(rows[0]!.inputTokens, entries.reduce((n, e) => n + e.inputTokens, 0));
  assertEquals(rows[0]!.outputTokens, entries.reduce((n, e) => n + e.outputTokens, 0));
});

Deno.test("gateway/main.ts killed (SIGKILL) mid-stream: its open record stays in the shared KV, another instance's start-up sweep leaves it while it could still run, and a sweep past that rolls it up once as interrupted", async () => {
  await using stack = await startMultiInstanceStack({ gateways: 1, policy: POLICY });
  const { accessToken } = await stack.signIn();
  const [a] = stack.gateways as [Instance];
  stack.bedrock.enqueue(answerScript(textAnswer(["held"]), { hangAfter: 3 }));
  const started = Date.now();
  const response = await send(a, accessToken, { stream: true, maxTokens: 1000 });
  assertEquals(response.status, 200);
  const requestId = response.headers.get("request-id")!;
  const reader = response.body!.getReader();
  await reader.read(); // message_start is through: the stream is open

  using kv = retryWhenLocked(await Deno.openKv(stack.kvPath));
  await waitFor(async () => (await listed(kv, OPEN_PREFIX)).length === 1, 60_000);
  await a.process.stop("SIGKILL");
  await reader.read().catch(() => {});

  // A new instance starts (its start-up sweep runs before it listens): the stream could still
  // be running elsewhere, so the record stays.
  const b = await stack.startGateway();
  const open = [];
  for await (const record of kv.list({ prefix: OPEN_PREFIX })) open.push(record.key.at(-1));
  assertEquals(open, [requestId]);
  assertEquals(await listed(kv, ENTRY_PREFIX), []);

  // Two instances sweeping once the stream cannot be running any more: one entry.
  const later = started + 3_600_000;
  const sweepers = [0, 1].map(() =>
    new UsageLedger({ kv, timers: new FakeTimers(), clock: () => later })
  );
  const swept = await Promise.all(sweepers.map((l) => l.sweep()));
  assertEquals(swept.flat().length, 1);
  for (const l of sweepers) await l.close();
  const entries = await listed<LedgerEntry>(kv, ENTRY_PREFIX);
  assertEquals(entries.map((e) => [e.requestId, e.outcome]), [[requestId, "interrupted"]]);
  assert(entries[0]!.inputTokens > 0);
  assertEquals(await listed(kv, OPEN_PREFIX), []);
  await b.process.stop();
});

Deno.test("gateway/main.ts x2: a budget override set through one instance's admin API applies there at once and on the other within CCGATE_POLICY_SYNC_MS, its removal too; a revoked session is refused by both within CCGATE_REVOCATION_REFRESH_MS", async () => {
  const syncMs = 1_000;
  const refreshMs = 1_000;
  await using stack = await startMultiInstanceStack({
    gateways: 2,
    policy: POLICY,
    gatewayEnv: {
      CCGATE_POLICY_SYNC_MS: String(syncMs),
      CCGATE_REVOCATION_REFRESH_MS: String(refreshMs),
    },
  });
  const [a, b] = stack.gateways as [Instance, Instance];
  const { accessToken, refreshToken } = await stack.signIn();
  const status = async (gateway: Instance) => {
    const response = await send(gateway, accessToken);
    await response.body?.cancel();
    return response.status;
  };
  assertEquals([await status(a), await status(b)], [200, 200]);

  const put = await fetch(`${a.url}/admin/api/budget-overrides/${USER}`, {
    method: "PUT",
    headers: headers(accessToken),
    body: JSON.stringify({ daily_usd: 0.000001, reason: "frozen" }),
  });
  assertEquals(put.status, 200, await put.text());
  assertEquals(await status(a), 400, "a request larger than the whole (overridden) budget");
  // Within one refresh (T) plus the request's own time; polled up to a minute, so a slow machine
  // only waits.
  await waitFor(async () => await status(b) === 400, 60_000);
  const listedOnB = await (await fetch(`${b.url}/admin/api/budget-overrides`, {
    headers: headers(accessToken),
  })).json();
  assertEquals(listedOnB.data.map((o: { user: string }) => o.user), [USER]);

  const removed = await fetch(`${b.url}/admin/api/budget-overrides/${USER}`, {
    method: "DELETE",
    headers: headers(accessToken),
  });
  assertEquals((await removed.json()).removed, true);
  assertEquals(await status(b), 200);
  await waitFor(async () => await status(a) === 200, 60_000);

  const revoke = await fetch(`${stack.auths[0]!.url}/oauth/revoke`, {
    method: "POST",
    body: new URLSearchParams({ token: refreshToken, client_id: stack.entra.cliClientId }),
  });
  assertEquals(revoke.status, 200);
  for (const gateway of [a, b]) {
    await waitFor(async () => await status(gateway) === 401, 60_000);
  }
});

Deno.test("gateway/main.ts x2: a user spending a token budget on both instances before they reconcile stays within the documented bound (N × L for instances that have seen nothing), and both refuse once they have", async () => {
  const limit = 200;
  const syncMs = 1_000;
  await using stack = await startMultiInstanceStack({
    gateways: 2,
    policy: POLICY.replace("daily_usd: 100", `daily_tokens: ${limit}`),
    gatewayEnv: { CCGATE_POLICY_SYNC_MS: String(syncMs) },
  });
  const { accessToken } = await stack.signIn();
  const spend = async (gateway: Instance) => {
    let admitted = 0;
    for (;;) {
      const response = await send(gateway, accessToken, { maxTokens: 10 });
      await response.body?.cancel();
      if (response.status !== 200) return { admitted, refusal: response.status };
      admitted++;
    }
  };
  const [a, b] = stack.gateways as [Instance, Instance];
  const onA = await spend(a);
  const onB = await spend(b);
  assertEquals([onA.refusal, onB.refusal], [429, 429]);
  // B admits what it does before it reconciles with A: some on a quick machine, none on one slow
  // enough for a reconcile to come first; either way within the bound below.
  assert(onA.admitted > 0, JSON.stringify({ onA, onB }));

  // Once both have reconciled, each knows the whole spend and refuses.
  const spent = async (gateway: Instance) => {
    const response = await fetch(`${gateway.url}/admin/api/policy?user=${USER}`, {
      headers: headers(accessToken),
    });
    const { policy } = await response.json();
    return policy.budgets[0].spent as number;
  };
  using kv = retryWhenLocked(await Deno.openKv(stack.kvPath));
  let total = 0;
  await waitFor(async () => {
    const entries = (await listed<LedgerEntry>(kv, ENTRY_PREFIX))
      .filter((e) => e.outcome === "completed");
    total = entries.reduce((n, e) => n + e.inputTokens + e.outputTokens, 0);
    return entries.length === onA.admitted + onB.admitted &&
      await spent(a) === total && await spent(b) === total;
  }, 60_000);
  assert(total <= 2 * limit, `spent ${total} of ${limit} on two instances`);
  for (const gateway of [a, b]) {
    const response = await send(gateway, accessToken, { maxTokens: 10 });
    await response.body?.cancel();
    assertEquals(response.status, 429);
  }
});
