import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";

const ALICE = "00000000-0000-4000-8000-00000000a11c";

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
