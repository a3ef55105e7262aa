import { assert, assertEquals, assertStringIncludes } from "../../testing/assert.ts";
import { startGatewayStack } from "../../testing/gateway_stack.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { AuditRecord } from "./audit_log.ts";

const ADMIN = "00000000-0000-0000-0000-0000000ad111";

async function seededStack() {
  const stack = await startGatewayStack({ env: { CCGATE_ADMIN_ROLE: "usage.admin" } });
  const entries = [
    ledgerEntry({
      requestId: "req_1",
      day: "2026-11-01",
      at: "2026-11-01T09:00:00.000Z",
      user: "ann",
      groups: ["eng"],
      inputTokens: 100,
      outputTokens: 10,
      costUsd: 0.01,
    }),
    ledgerEntry({
      requestId: "req_2",
      day: "2026-11-01",
      at: "2026-11-01T10:00:00.000Z",
      user: "bob",
      groups: ["sales"],
      inputTokens: 50,
      outputTokens: 5,
      costUsd: 0.005,
    }),
    ledgerEntry({
      requestId: "req_3",
      day: "2026-11-02",
      at: "2026-11-02T09:00:00.000Z",
      user: "ann",
      groups: ["eng"],
      inputTokens: 7,
      outputTokens: 3,
      costUsd: null,
      outcome: "upstream_error",
      errorType: "ThrottlingException",
    }),
    ledgerEntry({
      requestId: "req_4",
      day: "2026-11-05",
      at: "2026-11-05T09:00:00.000Z",
      user: "=cmd|calc",
      groups: ["eng"],
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0,
    }),
  ];
  for (const e of entries) stack.ledger.append(e);
  await stack.ledger.flush();
  const admin = await stack.issuer.mint({
    claims: { sub: ADMIN, sid: "sess-admin", roles: ["usage.admin"] },
  });
  const get = (path: string, token = admin, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { stack, admin, get };
}

Deno.test("GET /admin/api/usage answers daily rollups per user, group and model, as JSON and CSV", async () => {
  const { stack, get } = await seededStack();
  await using _ = stack;
  const all = await (await get("/admin/api/usage?from=2026-11-01&to=2026-11-02")).json();
  assertEquals(all.data.length, 3);
  const ann = await (await get("/admin/api/usage?from=2026-11-01&to=2026-11-30&user=ann")).json();
  assertEquals(ann.data.map((r: { day: string; inputTokens: number }) => [r.day, r.inputTokens]), [
    ["2026-11-01", 100],
    ["2026-11-02", 7],
  ]);
  assertEquals(ann.data[1].errors, 1);
  // Its only request is unpriced: the cost is unknown (null), not $0.
  assertEquals([ann.data[1].costUsd, ann.data[1].unpriced], [null, 1]);
  assertEquals([ann.data[0].costUsd, ann.data[0].unpriced], [0.01, 0]);
  const eng = await (await get("/admin/api/usage?from=2026-11-01&to=2026-11-30&group=eng")).json();
  assertEquals(eng.data.reduce((n: number, r: { requests: number }) => n + r.requests, 0), 3);
  assertEquals(eng.data[0].costUsd, 0.01);

  const csv = await get("/admin/api/usage?from=2026-11-01&to=2026-11-30&format=csv");
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assertStringIncludes(csv.headers.get("content-disposition") ?? "", "attachment");
  const lines = (await csv.text()).trimEnd().split("\r\n");
  assertEquals(
    lines[0],
    "day,dimension,name,model,requests,errors,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,costUsd,unpriced",
  );
  assertEquals(lines.length, 5);
  assert(lines.some((l) => l.includes(",'=cmd|calc,")), "a formula-like cell is neutralised");
  assert(
    lines.some((l) => l.startsWith("2026-11-02,user,ann,") && l.endsWith(",3,0,0,,1")),
    "an unpriced row's cost is an empty cell, not 0",
  );
});

Deno.test("GET /admin/api/entries and /admin/api/summary read the ledger of a day range", async () => {
  const { stack, get } = await seededStack();
  await using _ = stack;
  const entries = await (await get("/admin/api/entries?from=2026-11-01&to=2026-11-01")).json();
  assertEquals(entries.data.map((e: { requestId: string }) => e.requestId), ["req_1", "req_2"]);
  const csv = await (await get("/admin/api/entries?from=2026-11-02&to=2026-11-02", undefined, {
    accept: "text/csv",
  })).text();
  assertStringIncludes(csv, "req_3,2026-11-02T09:00:00.000Z,2026-11-02,ann");
  const summary = await (await get("/admin/api/summary?from=2026-11-01&to=2026-11-05&group=eng"))
    .json();
  assertEquals(summary.totals.requests, 3);
  assertEquals(summary.days.length, 5);
  assertEquals(summary.errorRate, 1 / 3);
  assertEquals(summary.topUsers[0].user, "ann");
  assertEquals(summary.errorTypes, [{ type: "ThrottlingException", count: 1 }]);
  assertEquals(
    [summary.totals.costUsd, summary.totals.unpriced],
    [0.01, 1],
    "priced part of a mix",
  );
  assertEquals(
    summary.days.map((d: { costUsd: number | null; unpriced: number }) => [d.costUsd, d.unpriced]),
    [[0.01, 0], [null, 1], [0, 0], [0, 0], [0, 0]],
  );
});

Deno.test("/admin/api/* refuses a token without the admin role (403) or without a token (401), and audits every call", async () => {
  const { stack, get } = await seededStack();
  await using _ = stack;
  const denied = await get("/admin/api/usage?from=2026-11-01&to=2026-11-01", stack.token);
  assertEquals(denied.status, 403);
  assertEquals((await denied.json()).error.type, "permission_error");
  const anonymous = await fetch(`${stack.url}/admin/api/usage`);
  assertEquals(anonymous.status, 401);
  await anonymous.body?.cancel();
  const bad = await get("/admin/api/usage?from=2026-11-09&to=2026-11-01");
  assertEquals(bad.status, 400);
  await bad.body?.cancel();
  (await get("/admin/api/me")).body?.cancel();

  const today = new Date().toISOString().slice(0, 10);
  const audit = await (await get(`/admin/audit?from=${today}&to=${today}`)).json();
  // Newest first; denied calls are one record per actor and minute (see audit_log.ts).
  const records = audit.data as AuditRecord[];
  const allowed = records.filter((r) => r.decision === "allowed");
  assertEquals(allowed.map((r) => [r.action, r.status]), [
    ["GET /admin/api/me", 200],
    ["GET /admin/api/usage", 400],
  ]);
  const deniedRecords = records.filter((r) => r.decision === "denied");
  assertEquals(deniedRecords.map((r) => [r.action, r.status, r.count]), [[
    "GET /admin/api/usage",
    403,
    1,
  ]]);
  assertEquals(deniedRecords[0]!.actor, "00000000-0000-0000-0000-00000000a11c");
  assertEquals(allowed[1]!.actor, ADMIN);
  assertEquals(allowed[1]!.details, { from: ["2026-11-09"], to: ["2026-11-01"] });
  // The audit query itself is audited.
  const again = await (await get(`/admin/api/audit?from=${today}&to=${today}&format=csv`)).text();
  assertStringIncludes(again, "GET /admin/audit,allowed,200");
  assert(!again.includes(stack.token) && !JSON.stringify(audit).includes(stack.token));
});

Deno.test("GET /admin/ serves the dashboard page and its script without credentials", async () => {
  await using stack = await startGatewayStack();
  const page = await fetch(`${stack.url}/admin/`);
  assertEquals(page.status, 200);
  assertStringIncludes(page.headers.get("content-security-policy") ?? "", "script-src 'self'");
  assertStringIncludes(await page.text(), '<script src="/admin/dashboard.js"></script>');
  const script = await fetch(`${stack.url}/admin/dashboard.js`);
  assertStringIncludes(script.headers.get("content-type") ?? "", "javascript");
  assertStringIncludes(await script.text(), "sessionStorage");
  const redirect = await fetch(`${stack.url}/admin`, { redirect: "manual" });
  assertEquals(redirect.headers.get("location"), "/admin/");
  await redirect.body?.cancel();
});

Deno.test("GET /admin/api/usage answers 400 for an invalid `to` without `from`", async () => {
  const { stack, get } = await seededStack();
  await using _ = stack;
  for (const to of ["garbage", "2026-13-45"]) {
    const res = await get(`/admin/api/usage?to=${to}`);
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.type, "invalid_request_error");
  }
});

Deno.test("the admin API answers 400, not 500, for a user, group or model too long for a KV key, and for an unknown format", async () => {
  const { stack, admin, get } = await seededStack();
  await using _ = stack;
  const long = "a".repeat(5_000);
  const refused = async (response: Response, text: string) => {
    const body = await response.json();
    assertEquals([response.status, body.error.type], [400, "invalid_request_error"]);
    assertStringIncludes(body.error.message, text);
  };
  await refused(await get(`/admin/api/usage?user=${long}`), "user: at most 256 characters");
  await refused(await get(`/admin/api/entries?group=${long}`), "group: at most 256 characters");
  await refused(await get(`/admin/api/usage?model=${long}`), "model: at most 512 characters");
  await refused(await get(`/admin/api/policy?user=${long}`), "user: at most 256 characters");
  await refused(await get("/admin/api/entries?format=xml"), 'format: "json" or "csv"');
  for (const method of ["PUT", "DELETE"]) {
    const response = await fetch(`${stack.url}/admin/api/budget-overrides/${long}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: method === "PUT" ? JSON.stringify({ daily_usd: 5 }) : undefined,
    });
    await refused(response, "user: at most 256 characters");
  }
});

Deno.test("/admin/audit and budget overrides refuse (403, audited as denied) an admin of an allowlisted tenant that is not the admin tenant, and /admin/api/* one whose token has no tenant", async () => {
  const A = "11111111-1111-1111-1111-111111111111"; // the test issuer's tid
  const B = "22222222-2222-4222-8222-222222222222";
  await using stack = await startGatewayStack({
    env: { CCGATE_ADMIN_ROLE: "usage.admin", ENTRA_TENANT_ID: `${A},${B}` },
  });
  stack.ledger.append(ledgerEntry({ requestId: "req_a", day: "2026-11-01", user: "ann", tid: A }));
  await stack.ledger.flush();
  const adminOf = (tid: string | undefined, sub: string) =>
    stack.issuer.mint({ claims: { sub, sid: `sess-${sub}`, tid, roles: ["usage.admin"] } });
  const adminA = await adminOf(A, ADMIN);
  const adminB = await adminOf(B, "00000000-0000-4000-8000-00000000b0b0");
  const call = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const override = JSON.stringify({ daily_usd: 1000, reason: "cross-tenant" });
  const paths: [string, RequestInit?][] = [
    ["/admin/audit?from=2026-11-01&to=2026-11-01"],
    ["/admin/api/audit?from=2026-11-01&to=2026-11-01"],
    ["/admin/api/budget-overrides"],
    ["/admin/api/budget-overrides/ann", { method: "PUT", body: override }],
    ["/admin/api/budget-overrides/ann", { method: "DELETE" }],
  ];
  for (const [path, init] of paths) {
    const denied = await call(adminB, path, init);
    assertEquals(denied.status, 403, path);
    const body = await denied.json();
    assertEquals(body.error.type, "permission_error", path);
    assertStringIncludes(body.error.message, "CCGATE_ADMIN_TENANTS", path);
  }
  assertEquals(stack.budgetOverrides.list(), [], "no override was set");
  // Without a tenant in the token, an admin of no admin tenant has no tenant of their own.
  const noTenant = await adminOf(undefined, "00000000-0000-4000-8000-0000000000e0");
  const refused = await call(noTenant, "/admin/api/me");
  assertEquals(refused.status, 403);
  const message = (await refused.json()).error.message;
  assertStringIncludes(message, 'your access token names no tenant (no "tid" claim)');
  assertStringIncludes(message, "CCGATE_ADMIN_TENANTS");
  // Usage is theirs to read (their own tenant's: admin_tenant_usage_test.ts).
  const own = await call(adminB, "/admin/api/usage?from=2026-11-01&to=2026-11-01");
  assertEquals([own.status, (await own.json()).data], [200, []]);
  const usage = await call(adminA, "/admin/api/usage?from=2026-11-01&to=2026-11-01");
  assertEquals(usage.status, 200);
  assert((await usage.json()).data.length > 0);
  const today = new Date().toISOString().slice(0, 10);
  const audit = await (await call(adminA, `/admin/audit?from=${today}&to=${today}`)).json();
  // Denied calls are counted per actor, action and minute (see audit_log.ts): five actions,
  // one record each.
  const denied = (audit.data as AuditRecord[]).filter((r) => r.decision === "denied");
  const of = (actor: string) => denied.filter((r) => r.actor === actor);
  const b = of("00000000-0000-4000-8000-00000000b0b0");
  assertEquals(Object.fromEntries(b.map((r) => [r.action, r.count])), {
    "GET /admin/audit": 1,
    "GET /admin/api/audit": 1,
    "GET /admin/api/budget-overrides": 1,
    "PUT /admin/api/budget-overrides/ann": 1,
    "DELETE /admin/api/budget-overrides/ann": 1,
  });
  assertEquals(b.length, paths.length);
  assertEquals(of("00000000-0000-4000-8000-0000000000e0").map((r) => [r.action, r.count]), [
    ["GET /admin/api/me", 1],
  ]);
  assertEquals(denied.length, b.length + 1);
  const allowedB = (audit.data as AuditRecord[]).filter((r) =>
    r.actor === "00000000-0000-4000-8000-00000000b0b0" && r.decision === "allowed"
  );
  assertEquals(allowedB.map((r) => [r.action, r.status]), [["GET /admin/api/usage", 200]]);
});

Deno.test("/admin/audit keeps a tenant admin's refused budget override attempts apart by method and target, one record per action and minute with its count", async () => {
  const A = "11111111-1111-1111-1111-111111111111";
  const B = "22222222-2222-4222-8222-222222222222";
  // One fixed minute, so the counts cannot straddle two.
  const now = () => new Date("2026-11-30T10:00:30.000Z");
  await using stack = await startGatewayStack({
    env: { CCGATE_ADMIN_ROLE: "usage.admin", ENTRA_TENANT_ID: `${A},${B}` },
    now,
  });
  const adminOf = (tid: string, sub: string) =>
    stack.issuer.mint({
      now: now(),
      claims: { sub, sid: `sess-${sub}`, tid, roles: ["usage.admin"] },
    });
  const adminA = await adminOf(A, ADMIN);
  const adminB = await adminOf(B, "00000000-0000-4000-8000-00000000b0b0");
  const call = async (token: string, method: string, path: string) => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: method === "PUT" ? JSON.stringify({ daily_usd: 1000, reason: "x" }) : undefined,
    });
    await res.body?.cancel();
    return res.status;
  };
  const attempts: [string, string][] = [
    ["GET", "/admin/api/budget-overrides"],
    ["PUT", "/admin/api/budget-overrides/ann"],
    ["PUT", "/admin/api/budget-overrides/ann"],
    ["DELETE", "/admin/api/budget-overrides/ann"],
    ["PUT", "/admin/api/budget-overrides/bob"],
    ["PUT", "/admin/api/budget-overrides/ann"],
    ["DELETE", "/admin/api/budget-overrides/bob"],
    ["GET", "/admin/api/budget-overrides"],
  ];
  for (const [method, path] of attempts) assertEquals(await call(adminB, method, path), 403);

  const audit = await fetch(
    `${stack.url}/admin/audit?from=2026-11-30&to=2026-11-30&decision=denied`,
    { headers: { authorization: `Bearer ${adminA}` } },
  );
  const records = (await audit.json()).data as AuditRecord[];
  const counts = Object.fromEntries(records.map((r) => [r.action, r.count]));
  assertEquals(counts, {
    "GET /admin/api/budget-overrides": 2,
    "PUT /admin/api/budget-overrides/ann": 3,
    "DELETE /admin/api/budget-overrides/ann": 1,
    "PUT /admin/api/budget-overrides/bob": 1,
    "DELETE /admin/api/budget-overrides/bob": 1,
  });
  assert(records.every((r) => r.status === 403 && r.at === "2026-11-30T10:00:30.000Z"));
});
