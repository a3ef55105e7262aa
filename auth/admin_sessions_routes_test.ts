import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { AuditLog, type AuditRecord } from "../gateway/admin/audit_log.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { startAuthFixture } from "./_testing.ts";
import { SessionStore } from "./session_store.ts";

const ALICE = "00000000-0000-4000-8000-00000000a11c";
/** Two allowlisted tenants; A is the admin tenant. */
const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";

/** An auth service allowlisting tenants A (the admin tenant) and B. */
function twoTenantFixture() {
  return startAuthFixture({ entra: { tenantId: A }, env: { ENTRA_TENANT_ID: `${A},${B}` } });
}

Deno.test("adminSessionsRoutes() refuses callers without a token or without the admin role", async () => {
  await using f = await startAuthFixture();
  const anonymous = await f.app.request(`/admin/sessions?sub=${ALICE}`);
  assertEquals(anonymous.status, 401);
  assertEquals((await anonymous.json()).error, "invalid_token");
  const user = await f.signIn({ user: { oid: ALICE, roles: ["ccgate.user"] } });
  const forbidden = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  assertEquals(forbidden.status, 403);
  assertEquals((await forbidden.json()).error, "insufficient_scope");
  const garbage = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    headers: { authorization: "Bearer abc.def.ghi" },
  });
  assertEquals(garbage.status, 401);
});

Deno.test("adminSessionsRoutes() lists and revokes one session", async () => {
  await using f = await startAuthFixture();
  const admin = await f.signIn();
  const alice = await f.signIn({ user: { oid: ALICE, roles: ["ccgate.user"] } });
  const { sid } = await f.verify(alice.access_token);
  const auth = { authorization: `Bearer ${admin.access_token}` };
  const list = await (await f.app.request(`/admin/sessions?sub=${ALICE}`, { headers: auth }))
    .json();
  assertEquals(list.sessions.map((s: { sid: string }) => s.sid), [sid]);
  assertEquals(list.sessions[0].revoked_at, null);
  const revoked = await f.app.request(`/admin/sessions/${sid}`, {
    method: "DELETE",
    headers: auth,
  });
  assertEquals(revoked.status, 200);
  assertEquals(await revoked.json(), { revoked: [sid] });
  assert(f.revocations.isRevoked(sid));
  assertEquals((await f.refresh(alice.refresh_token)).body.error, "invalid_grant");
  const missing = await f.app.request("/admin/sessions/nope", { method: "DELETE", headers: auth });
  assertEquals(missing.status, 404);
  await f.assertNoLeaks();
});

Deno.test("adminSessionsRoutes() revokes all sessions of a user", async () => {
  await using f = await startAuthFixture();
  const admin = await f.signIn();
  const a = await f.signIn({ user: { oid: ALICE } });
  const b = await f.signIn({ user: { oid: ALICE } });
  const response = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${admin.access_token}` },
  });
  assertEquals((await response.json()).revoked.length, 2);
  for (const s of [a, b]) {
    assertEquals((await f.refresh(s.refresh_token)).body.error, "invalid_grant");
  }
  // The admin's own session (the dev user's) is untouched.
  assertEquals((await f.refresh(admin.refresh_token)).status, 200);
  // A revoked admin session cannot use the admin API.
  const aliceAdmin = await f.signIn({ user: { oid: ALICE } });
  await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${admin.access_token}` },
  });
  const after = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    headers: { authorization: `Bearer ${aliceAdmin.access_token}` },
  });
  assertEquals(after.status, 401);
});

Deno.test("adminSessionsRoutes() answers 400 when a sub or sid is longer than 256 characters", async () => {
  await using f = await startAuthFixture();
  const admin = await f.signIn();
  const headers = { authorization: `Bearer ${admin.access_token}` };
  const long = "a".repeat(5000);
  const cases: [method: string, path: string, parameter: string][] = [
    ["GET", `/admin/sessions?sub=${long}`, 'Query parameter "sub"'],
    ["DELETE", `/admin/sessions?sub=${long}`, 'Query parameter "sub"'],
    ["GET", `/admin/sessions?sub=${"a".repeat(257)}`, 'Query parameter "sub"'],
    ["DELETE", `/admin/sessions/${long}`, 'Path parameter "sid"'],
    ["DELETE", `/admin/sessions/${"a".repeat(257)}`, 'Path parameter "sid"'],
  ];
  for (const [method, path, parameter] of cases) {
    const response = await f.app.request(path, { method, headers });
    const what = `${method} ${path.slice(0, 40)}`;
    assertEquals(response.status, 400, what);
    const body = await response.json();
    assertEquals(body.error, "invalid_request", what);
    assertStringIncludes(body.error_description, parameter, what);
    assertStringIncludes(body.error_description, "256 characters", what);
  }
  assertEquals(f.logs.at(-1)?.code, "parameter_too_long");
  // 256 characters is still a well-formed (if unknown) subject.
  const longest = await f.app.request(`/admin/sessions?sub=${"a".repeat(256)}`, { headers });
  assertEquals(await longest.json(), { sessions: [] });
});

Deno.test("adminSessionsRoutes() lets an admin of another allowlisted tenant reach only their own tenant's sessions", async () => {
  const BOB = "00000000-0000-4000-8000-00000000b0b0";
  const CAROL = "00000000-0000-4000-8000-0000000ca401";
  await using f = await twoTenantFixture();
  const alice = await f.signIn({ user: { oid: ALICE, roles: ["ccgate.user"] } });
  const carol = await f.signIn({ tenantId: B, user: { oid: CAROL, roles: ["ccgate.user"] } });
  const adminB = await f.signIn({ tenantId: B, user: { oid: BOB, roles: ["ccgate.admin"] } });
  const adminA = await f.signIn(); // the dev user: tenant A, the admin tenant (first listed)
  const aliceSid = (await f.verify(alice.access_token)).sid;
  const carolSid = (await f.verify(carol.access_token)).sid;
  const asB = { authorization: `Bearer ${adminB.access_token}` };
  const asA = { authorization: `Bearer ${adminA.access_token}` };

  // Tenant B's admin sees nothing of tenant A's user and cannot revoke her sessions.
  const list = await f.app.request(`/admin/sessions?sub=${ALICE}`, { headers: asB });
  assertEquals(list.status, 200);
  assertEquals(await list.json(), { sessions: [] });
  const one = await f.app.request(`/admin/sessions/${aliceSid}`, {
    method: "DELETE",
    headers: asB,
  });
  assertEquals(one.status, 404);
  await one.body?.cancel();
  const all = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    method: "DELETE",
    headers: asB,
  });
  assertEquals(await all.json(), { revoked: [] });
  assert(!f.revocations.isRevoked(aliceSid));
  assertEquals((await f.refresh(alice.refresh_token)).status, 200);

  // ...but manages tenant B's users.
  const own = await (await f.app.request(`/admin/sessions?sub=${CAROL}`, { headers: asB })).json();
  assertEquals(own.sessions.map((s: { sid: string; tid: string }) => [s.sid, s.tid]), [
    [carolSid, B],
  ]);
  const revoked = await f.app.request(`/admin/sessions/${carolSid}`, {
    method: "DELETE",
    headers: asB,
  });
  assertEquals(await revoked.json(), { revoked: [carolSid] });

  // Tenant A's admin (the admin tenant) reaches both tenants.
  const cross = await (await f.app.request(`/admin/sessions?sub=${CAROL}`, { headers: asA }))
    .json();
  assertEquals(cross.sessions.map((s: { sid: string }) => s.sid), [carolSid]);
  const revokeAlice = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    method: "DELETE",
    headers: asA,
  });
  assertEquals(await revokeAlice.json(), { revoked: [aliceSid] });
  assert(f.revocations.isRevoked(aliceSid));
});

Deno.test("adminSessionsRoutes() audits listing and revoking sessions, and counts denied calls", async () => {
  await using f = await startAuthFixture();
  const admin = await f.signIn();
  const adminSub = (await f.verify(admin.access_token)).sub;
  const alice = await f.signIn({ user: { oid: ALICE, roles: ["ccgate.user"] } });
  const aliceSid = (await f.verify(alice.access_token)).sid;
  const other = await f.signIn({ user: { oid: ALICE, roles: ["ccgate.user"] } });
  const otherSid = (await f.verify(other.access_token)).sid;
  const asAdmin = { authorization: `Bearer ${admin.access_token}` };
  const call = async (method: string, path: string, headers = asAdmin) => {
    const response = await f.app.request(path, { method, headers });
    await response.body?.cancel();
    return response.status;
  };
  assertEquals(await call("GET", `/admin/sessions?sub=${ALICE}`), 200);
  f.clock.advance(1_000);
  assertEquals(await call("DELETE", `/admin/sessions/${aliceSid}`), 200);
  f.clock.advance(1_000);
  assertEquals(await call("DELETE", "/admin/sessions/no-such-session"), 404);
  f.clock.advance(1_000);
  assertEquals(await call("DELETE", `/admin/sessions?sub=${ALICE}`), 200);
  // A plain user tries three times in the same minute: one record, counted three times.
  const mallory = await f.signIn({ user: { oid: "mallory", roles: ["ccgate.user"] } });
  for (let i = 0; i < 3; i++) {
    const status = await call("DELETE", `/admin/sessions?sub=${ALICE}`, {
      authorization: `Bearer ${mallory.access_token}`,
    });
    assertEquals(status, 403);
  }
  f.clock.advance(1_000);
  assertEquals(await call("GET", "/admin/sessions"), 400);

  const response = await f.app.request("/admin/sessions/audit?from=2026-03-02&to=2026-03-02", {
    headers: asAdmin,
  });
  assertEquals(response.status, 200);
  const page = await response.json();
  const records = page.data as AuditRecord[];
  assertEquals(page.truncated, false);
  assertEquals(records.map((r) => [r.action, r.decision, r.status, r.count]), [
    ["GET /admin/sessions", "allowed", 400, 1],
    ["DELETE /admin/sessions", "denied", 403, 3],
    ["DELETE /admin/sessions", "allowed", 200, 1],
    ["DELETE /admin/sessions/no-such-session", "allowed", 404, 1],
    [`DELETE /admin/sessions/${aliceSid}`, "allowed", 200, 1],
    ["GET /admin/sessions", "allowed", 200, 1],
  ]);
  assertEquals(records[2]!.details, { sub: [ALICE], revoked: [otherSid] });
  assertEquals(records[4]!.details, { sub: ALICE, revoked: [aliceSid] });
  assertEquals(records[5]!.details, { sub: [ALICE], listed: 2 });
  assertEquals(records[1]!.actor, "mallory");
  assert(records.filter((r) => r.decision === "allowed").every((r) => r.actor === adminSub));
  // The same records are in the auth service's KV under ["audit", ...].
  const stored = await new AuditLog(f.kv).list({ from: "2026-03-02", to: "2026-03-02" });
  assertEquals(stored.records.length, records.length + 1); // and the audit read itself
  assertEquals(stored.records[0]!.action, "GET /admin/sessions/audit");
  await f.assertNoLeaks();
});

Deno.test("GET /admin/sessions/audit pages, filters, answers CSV, and refuses a non-admin tenant's admin", async () => {
  await using f = await twoTenantFixture();
  const admin = await f.signIn();
  const adminB = await f.signIn({ tenantId: B, user: { oid: "bob", roles: ["ccgate.admin"] } });
  const headers = { authorization: `Bearer ${admin.access_token}` };
  for (let i = 0; i < 5; i++) {
    f.clock.advance(1_000);
    (await f.app.request(`/admin/sessions?sub=user-${i}`, { headers })).body?.cancel();
  }
  const refused = await f.app.request("/admin/sessions/audit", {
    headers: { authorization: `Bearer ${adminB.access_token}` },
  });
  assertEquals(refused.status, 403);
  assertStringIncludes((await refused.json()).error_description, "CCGATE_ADMIN_TENANTS");

  const seen: string[] = [];
  let after = "";
  do {
    const page = await (await f.app.request(
      `/admin/sessions/audit?from=2026-03-02&to=2026-03-02&limit=2&decision=allowed&actor=${
        (await f.verify(admin.access_token)).sub
      }${after ? `&after=${after}` : ""}`,
      { headers },
    )).json();
    seen.push(...(page.data as AuditRecord[]).map((r) => JSON.stringify(r.details)));
    after = page.next ?? "";
  } while (after !== "");
  // Five lists, newest first (the paging reads come later and are newer than any cursor:
  // the first page was read before its own record was written).
  assertEquals(seen, [4, 3, 2, 1, 0].map((i) => JSON.stringify({ sub: [`user-${i}`], listed: 0 })));

  const csv = await f.app.request(
    "/admin/sessions/audit?format=csv&from=2026-03-02&to=2026-03-02",
    {
      headers,
    },
  );
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assertStringIncludes(await csv.text(), 'allowed,200,1,"{""sub"":[""user-4""],""listed"":0}"');
  const bad = await f.app.request("/admin/sessions/audit?after=nope!", { headers });
  assertEquals([bad.status, (await bad.json()).error], [400, "invalid_request"]);
});

Deno.test("a session revocation on auth appears in the gateway's GET /admin/audit when they share one KV (the combined server)", async () => {
  await using f = await startAuthFixture();
  await using stack = await startGatewayStack({ kv: f.kv });
  const admin = await f.signIn();
  const alice = await f.signIn({ user: { oid: ALICE, roles: ["ccgate.user"] } });
  const aliceSid = (await f.verify(alice.access_token)).sid;
  const revoked = await f.app.request(`/admin/sessions/${aliceSid}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${admin.access_token}` },
  });
  assertEquals(revoked.status, 200);
  await revoked.body?.cancel();
  const gatewayAdmin = await stack.issuer.mint({
    claims: { sub: "gateway-admin", sid: "sess-g", roles: ["ccgate.admin"] },
  });
  const audit = await (await fetch(`${stack.url}/admin/audit?from=2026-03-02&to=2026-03-02`, {
    headers: { authorization: `Bearer ${gatewayAdmin}` },
  })).json();
  const records = audit.data as AuditRecord[];
  assertEquals(records.map((r) => [r.action, r.decision, r.status]), [
    [`DELETE /admin/sessions/${aliceSid}`, "allowed", 200],
  ]);
  assertEquals(records[0]!.details, { sub: ALICE, revoked: [aliceSid] });
});

Deno.test("GET /admin/sessions/audit refused to an admin outside the admin tenants is audited as denied", async () => {
  await using f = await twoTenantFixture();
  const admin = await f.signIn();
  const adminB = await f.signIn({ tenantId: B, user: { oid: "bob", roles: ["ccgate.admin"] } });
  for (let i = 0; i < 2; i++) {
    const refused = await f.app.request("/admin/sessions/audit", {
      headers: { authorization: `Bearer ${adminB.access_token}` },
    });
    assertEquals(refused.status, 403);
    await refused.body?.cancel();
  }
  f.clock.advance(1_000);
  const own = await f.app.request("/admin/sessions?sub=someone", {
    headers: { authorization: `Bearer ${adminB.access_token}` },
  });
  assertEquals(own.status, 200);
  await own.body?.cancel();
  const page = await (await f.app.request(
    "/admin/sessions/audit?from=2026-03-02&to=2026-03-02&actor=bob",
    { headers: { authorization: `Bearer ${admin.access_token}` } },
  )).json();
  assertEquals((page.data as AuditRecord[]).map((r) => [r.action, r.decision, r.status, r.count]), [
    ["GET /admin/sessions", "allowed", 200, 1],
    ["GET /admin/sessions/audit", "denied", 403, 2],
  ]);
  const denied = await (await f.app.request(
    "/admin/sessions/audit?from=2026-03-02&to=2026-03-02&decision=denied",
    { headers: { authorization: `Bearer ${admin.access_token}` } },
  )).json();
  assertEquals(denied.data.map((r: AuditRecord) => r.actor), ["bob"]);
});

Deno.test("DELETE /admin/sessions?sub= revokes a user's hundreds of sessions, and its audit record still names the user", async () => {
  await using f = await startAuthFixture();
  const admin = await f.signIn();
  // A build robot signing in every hour for a week: 300 sessions (the auth service's own writer).
  const store = new SessionStore(f.kv, {
    sessionTtlSeconds: f.config.sessionTtlSeconds,
    refreshGraceSeconds: f.config.refreshGraceSeconds,
  });
  const identity = { sub: ALICE, tid: f.config.entra.tenantIds[0]!, roles: [], groups: [] };
  const sids: string[] = [];
  for (let i = 0; i < 300; i++) {
    sids.push((await store.create(identity, "cli", f.clock.now())).session.sid);
  }
  const response = await f.app.request(`/admin/sessions?sub=${ALICE}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${admin.access_token}` },
  });
  assertEquals(response.status, 200);
  assertEquals((await response.json()).revoked.sort(), [...sids].sort());
  const { records } = await new AuditLog(f.kv).list({ from: "2026-03-02", to: "2026-03-02" });
  const record = records.find((r) => r.action === "DELETE /admin/sessions")!;
  // The list of 300 ids is too long to store: it is counted, and the user is still named.
  assertEquals(record.details.sub, [ALICE]);
  assertStringIncludes(JSON.stringify(record.details.revoked), "300 items");
});
