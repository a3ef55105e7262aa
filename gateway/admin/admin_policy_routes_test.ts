import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";
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

    const refused = await postMessages(stack.url, stack.token);
    assertEquals(refused.status, 429);
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
    assertEquals(eng.policy.rate[0].rule, "groups.eng.requests_per_minute");
    assertEquals(eng.policy.budgets[0].limit, 10);

    const listed = await (await call("GET", "/admin/api/budget-overrides")).json();
    assertEquals(listed.data.map((o: { user: string }) => o.user), [USER]);
    const bad = await call("PUT", `/admin/api/budget-overrides/${USER}`, { reason: "nothing" });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();

    const removed = await call("DELETE", `/admin/api/budget-overrides/${USER}`);
    assertEquals((await removed.json()).removed, true);
    const again = await postMessages(stack.url, stack.token);
    assertEquals(again.status, 429);
    await again.body?.cancel();

    const today = new Date().toISOString().slice(0, 10);
    const audit = (await (await call("GET", `/admin/audit?from=${today}&to=${today}`)).json())
      .data as AuditRecord[];
    const put = audit.find((r) => r.action === `PUT /admin/api/budget-overrides/${USER}`);
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
