import { answerScript, textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import {
  type GatewayStack,
  openStream,
  postMessages,
  startGatewayStack,
} from "../../testing/gateway_stack.ts";
import type { AuditRecord } from "./audit_log.ts";

const USER = "00000000-0000-0000-0000-00000000a11c";
const POLICY = `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
defaults:
  budgets: { daily_tokens: 10 }
groups:
  eng:
    requests_per_minute: 600
`;

Deno.test("budget overrides: an admin lifts a user's daily budget, the effective policy shows it, removing it restores the limit, all audited", async () => {
  const path = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(path, POLICY);
  try {
    await using stack = await startGatewayStack({ policy: path });
    const admin = await stack.issuer.mint({
      claims: { sub: "admin-1", sid: "sess-admin", roles: ["ccgate.admin"] },
    });
    const call = (method: string, route: string, body?: unknown) =>
      fetch(`${stack.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // 10 tokens a day: smaller than any request, so refused as such (400, no retry-after).
    const refused = await postMessages(stack.url, stack.token);
    assertEquals(refused.status, 400);
    assertStringIncludes((await refused.json()).error.message, "defaults.budgets.daily_tokens");

    const set = await call("PUT", `/admin/api/budget-overrides/${USER}`, {
      daily_tokens: 100_000,
      reason: "release week",
    });
    assertEquals(set.status, 200);
    assertEquals((await set.json()).setBy, "admin-1");

    const allowed = await postMessages(stack.url, stack.token);
    assertEquals(allowed.status, 200);
    await allowed.text();

    await stack.ledger.flush();
    const view = await (await call("GET", `/admin/api/policy?user=${USER}`)).json();
    assertStringIncludes(
      view.source,
      "ledger",
      "roles and groups came from the user's last request",
    );
    assertEquals(view.roles, ["ccgate.user"]);
    assertEquals(view.policy.budgets.length, 1);
    assertEquals(view.policy.budgets[0].limit, 100_000);
    assertStringIncludes(view.policy.budgets[0].rule, "admin budget override of daily_tokens");
    const eng = await (await call("GET", `/admin/api/policy?user=x&roles=&groups=eng`)).json();
    assertEquals(eng.policy.requests_per_minute[0].rule, "groups.eng.requests_per_minute");
    assertEquals(eng.policy.budgets[0].limit, 10);

    const listed = await (await call("GET", "/admin/api/budget-overrides")).json();
    assertEquals(listed.data.map((o: { user: string }) => o.user), [USER]);
    const bad = await call("PUT", `/admin/api/budget-overrides/${USER}`, { reason: "nothing" });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();

    const removed = await call("DELETE", `/admin/api/budget-overrides/${USER}`);
    assertEquals((await removed.json()).removed, true);
    const again = await postMessages(stack.url, stack.token);
    assertEquals(again.status, 400);
    await again.body?.cancel();

    const today = new Date().toISOString().slice(0, 10);
    const audit = (await (await call("GET", `/admin/audit?from=${today}&to=${today}`)).json())
      .data as AuditRecord[];
    const put = audit.find((r) =>
      r.action === `PUT /admin/api/budget-overrides/${USER}` && r.status === 200
    );
    assertEquals(put?.details, {
      user: USER,
      budgets: { daily_tokens: 100_000 },
      expiresAt: null,
      reason: "release week",
    });
    assert(audit.some((r) => r.action.startsWith("DELETE") && r.details.removed === true));

    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    assertStringIncludes(metrics, 'ccgate_budget_rejections_total{route="messages"} 2');
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("PUT /admin/api/budget-overrides/:user refuses a body that is not JSON (400) or too large (413)", async () => {
  const path = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(path, POLICY);
  try {
    await using stack = await startGatewayStack({ policy: path });
    const admin = await stack.issuer.mint({
      claims: { sub: "admin-1", sid: "sess-admin", roles: ["ccgate.admin"] },
    });
    const put = (body: string) =>
      fetch(`${stack.url}/admin/api/budget-overrides/${USER}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body,
      });
    const notJson = await put("daily_tokens=5");
    assertEquals(notJson.status, 400);
    assertEquals((await notJson.json()).error.type, "invalid_request_error");
    const huge = await put(JSON.stringify({ daily_tokens: 5, reason: "x".repeat(64 * 1024) }));
    assertEquals(huge.status, 413);
    await huge.body?.cancel();
    const listed = await (await fetch(`${stack.url}/admin/api/budget-overrides`, {
      headers: { authorization: `Bearer ${admin}` },
    })).json();
    assertEquals(listed.data, []);
  } finally {
    await Deno.remove(path);
  }
});

/** A fetch as an admin of `stack`. */
async function adminCall(stack: GatewayStack) {
  const admin = await stack.issuer.mint({
    claims: { sub: "admin-1", sid: "sess-admin", roles: ["ccgate.admin"] },
  });
  return (method: string, route: string, body?: unknown) =>
    fetch(`${stack.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

Deno.test("PUT /admin/api/budget-overrides/:user answers 400 when the gateway runs without a policy", async () => {
  await using stack = await startGatewayStack();
  const call = await adminCall(stack);
  const put = await call("PUT", `/admin/api/budget-overrides/${USER}`, {
    daily_usd: 5,
    reason: "would do nothing",
  });
  assertEquals(put.status, 400);
  const body = await put.json();
  assertEquals(body.type, "error");
  assertEquals(body.error.type, "invalid_request_error");
  assertStringIncludes(body.error.message, "Budget overrides need a policy");
  assertEquals((await (await call("GET", "/admin/api/budget-overrides")).json()).data, []);
});

Deno.test("PUT /admin/api/budget-overrides/:user refuses an expires_at that has passed", async () => {
  const path = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(path, POLICY);
  try {
    await using stack = await startGatewayStack({ policy: path });
    const call = await adminCall(stack);
    const past = new Date(Date.now() - 60_000).toISOString();
    const put = await call("PUT", `/admin/api/budget-overrides/${USER}`, {
      daily_tokens: 100_000,
      expires_at: past,
      reason: "already over",
    });
    assertEquals(put.status, 400);
    const error = (await put.json()).error;
    assertEquals(error.type, "invalid_request_error");
    assertStringIncludes(error.message, `expires_at: ${past} is not in the future`);
    assertEquals((await (await call("GET", "/admin/api/budget-overrides")).json()).data, []);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const ok = await call("PUT", `/admin/api/budget-overrides/${USER}`, {
      daily_tokens: 100_000,
      expires_at: future,
      reason: "release week",
    });
    assertEquals(ok.status, 200);
    assertEquals((await ok.json()).expiresAt, future);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("GET /admin/api/policy shows each limit with what is used now: spent, reserved, requests, in flight", async () => {
  const path = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(
    path,
    `models:
  claude-sonnet-4-5-20250929:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
defaults:
  requests_per_minute: 100
  concurrent_streams: 5
  budgets: { daily_usd: 10, monthly_tokens: 1000000 }
`,
  );
  try {
    await using stack = await startGatewayStack({
      policy: path,
      policyNow: () => new Date("2026-11-30T10:00:30Z"),
    });
    const call = await adminCall(stack);
    const view = async () => {
      const response = await call("GET", `/admin/api/policy?user=${USER}&roles=&groups=`);
      assertEquals(response.status, 200);
      return (await response.json()).policy;
    };
    const idle = await view();
    assertEquals(idle.requests_per_minute, [
      { scope: `user:${USER}`, limit: 100, rule: "defaults.requests_per_minute", used: 0 },
    ]);
    assertEquals(idle.budgets.map((b: { spent: number }) => b.spent), [0, 0]);

    stack.emulator.enqueue(
      textAnswer("done", { usage: { input_tokens: 1000, output_tokens: 2000 } }),
    );
    const answered = await postMessages(stack.url, stack.token);
    assertEquals(answered.status, 200);
    await answered.text();
    stack.emulator.enqueue(answerScript(textAnswer(["a", "b"]), { hangAfter: 2 }));
    const open = await openStream(stack);

    const busy = await view();
    assertEquals(busy.requests_per_minute[0].used, 2);
    assertEquals(busy.concurrent_streams, [
      { scope: `user:${USER}`, limit: 5, rule: "defaults.concurrent_streams", in_flight: 1 },
    ]);
    const [usd, tokens] = busy.budgets;
    assertEquals([usd.period, usd.unit, usd.window, usd.limit], ["daily", "usd", "2026-11-30", 10]);
    assertEquals(usd.spent, (1000 * 3 + 2000 * 15) / 1_000_000);
    assert(usd.reserved > 0, "the open stream's worst case is reserved");
    assertEquals([tokens.period, tokens.unit, tokens.window], ["monthly", "tokens", "2026-11"]);
    assertEquals(tokens.spent, 3000);
    assert(tokens.reserved > 32, "at least the open stream's max_tokens");

    await open.close();
    await Promise.all(stack.emulator.requests.map((r) => r.closed));
    const after = await view();
    assertEquals(after.concurrent_streams[0].in_flight, 0);
    assertEquals(after.budgets.map((b: { reserved: number }) => b.reserved), [0, 0]);
  } finally {
    await Deno.remove(path);
  }
});

/**
 * A KV whose writes of audit records fail while `failing.on` (a storage error
 * on the audit key): plain `set`s of them, and atomic operations that write one.
 */
function auditFailingKv(kv: Deno.Kv, failing: { on: boolean }): Deno.Kv {
  const isAudit = (key: Deno.KvKey) => key[0] === "audit";
  const fail = () => Promise.reject(new Error("injected KV failure writing an audit record"));
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "set") {
        return (key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) =>
          failing.on && isAudit(key) ? fail() : target.set(key, value, options);
      }
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          let audited = false;
          const wrapped: Deno.AtomicOperation = new Proxy(op, {
            get(o, name) {
              if (name === "commit") {
                return () => failing.on && audited ? fail() : o.commit();
              }
              const method = Reflect.get(o, name) as (...args: unknown[]) => unknown;
              if (typeof method !== "function") return method;
              return (...args: unknown[]) => {
                if (name === "set" && isAudit(args[0] as Deno.KvKey)) audited = true;
                method.apply(o, args);
                return wrapped;
              };
            },
          });
          return wrapped;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

Deno.test("PUT and DELETE /admin/api/budget-overrides/:user change nothing when their audit record cannot be written", async () => {
  await using kv = await Deno.openKv(":memory:");
  const failing = { on: false };
  await using stack = await startGatewayStack({
    kv: auditFailingKv(kv, failing),
    policyYaml: POLICY,
  });
  const call = await adminCall(stack);
  const stored = async () => (await kv.get(["policy", "budget_override", USER])).value;
  const put = () =>
    call("PUT", `/admin/api/budget-overrides/${USER}`, { daily_tokens: 5000, reason: "r" });

  failing.on = true;
  const refused = await put();
  assertEquals(refused.status, 500);
  await refused.body?.cancel();
  assertEquals(await stored(), null, "no override in KV without its audit record");
  assertEquals(stack.budgetOverrides.active(USER), undefined, "nor in force on this instance");

  failing.on = false;
  const set = await put();
  assertEquals(set.status, 200);
  await set.body?.cancel();
  assert(await stored() !== null);

  failing.on = true;
  const remove = await call("DELETE", `/admin/api/budget-overrides/${USER}`);
  assertEquals(remove.status, 500);
  await remove.body?.cancel();
  assert(await stored() !== null, "the override stays: its removal could not be audited");
  assertEquals(stack.budgetOverrides.active(USER)?.budgets, { daily_tokens: 5000 });

  failing.on = false;
  const removed = await call("DELETE", `/admin/api/budget-overrides/${USER}`);
  assertEquals((await removed.json()).removed, true);
  assertEquals(await stored(), null);
  // One record per change that happened, each once (the middleware wrote no second one).
  const today = new Date().toISOString().slice(0, 10);
  const audit = (await (await call("GET", `/admin/audit?from=${today}&to=${today}`)).json())
    .data as AuditRecord[];
  const changes = audit.filter((r) => r.action.includes("/budget-overrides/")).reverse();
  assertEquals(changes.map((r) => [r.action.split(" ")[0], r.status, r.details.removed]), [
    ["PUT", 200, undefined],
    ["DELETE", 200, true],
  ]);
});
