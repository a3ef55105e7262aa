import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { AuthError } from "./errors.ts";
import { startAuthFixture, testClock } from "./_testing.ts";
import { listRevocations, RevocationList } from "./revocation_list.ts";

Deno.test("RevocationList.isRevoked() answers from memory after revoke()", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  using list = new RevocationList({ kv, now: clock.now });
  await list.revoke("s1", new Date(clock.now().getTime() + 60_000));
  assert(list.isRevoked("s1"));
  assertEquals(list.isRevoked("s2"), false);
  const stored = await kv.get<{ expiresAt: number }>(["revoked", "s1"]);
  assertEquals(stored.value?.expiresAt, clock.now().getTime() + 60_000);
});

Deno.test("RevocationList.refresh() pulls revocations written by another instance", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  using writer = new RevocationList({ kv, now: clock.now });
  using reader = new RevocationList({ kv, now: clock.now });
  await reader.refresh();
  await writer.revoke("s1", new Date(clock.now().getTime() + 60_000));
  assertEquals(reader.isRevoked("s1"), false);
  clock.advance(5_000);
  await reader.refresh();
  assert(reader.isRevoked("s1"));
});

Deno.test("RevocationList.isRevoked() forgets a revocation once the session has expired", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  using list = new RevocationList({ kv, now: clock.now });
  await list.revoke("s1", new Date(clock.now().getTime() + 60_000));
  clock.advance(60_000);
  assertEquals(list.isRevoked("s1"), false);
  assertEquals(list.size, 0);
  assertEquals(await listRevocations(kv, { since: 0, now: clock.now().getTime() }), []);
});

Deno.test("RevocationList.refresh() keeps the last list and logs when KV fails", async () => {
  const kv = await Deno.openKv(":memory:");
  const clock = testClock();
  const logs: object[] = [];
  using list = new RevocationList({ kv, now: clock.now, log: (r) => logs.push(r) });
  await list.revoke("s1", new Date(clock.now().getTime() + 60_000));
  kv.close();
  await list.refresh();
  assert(list.isRevoked("s1"));
  assertEquals(logs.length, 1);
});

Deno.test("RevocationList pulls a separately deployed auth service's feed over HTTP", async () => {
  await using f = await startAuthFixture();
  const { access_token } = await f.signIn();
  const { sid } = await f.verify(access_token);
  const fetchApp: typeof fetch = (input, init) =>
    Promise.resolve(f.app.request(input as string, init));
  using remote = new RevocationList({
    url: "http://ccgate.test/oauth/revocations",
    fetch: fetchApp,
    now: f.clock.now,
  });
  await remote.refresh();
  assertEquals(remote.isRevoked(sid), false);
  await f.post("/oauth/revoke", { token: access_token });
  f.clock.advance(5_000);
  await remote.refresh();
  assert(remote.isRevoked(sid));
  const feed = await (await f.app.request("/oauth/revocations?since=0")).json();
  assertEquals(Object.keys(feed.revocations[0]).sort(), ["expires_at", "revoked_at", "sid"]);
  const bad = await f.app.request("/oauth/revocations?since=yesterday");
  assertEquals((await bad.json()).error, "invalid_request");
});

Deno.test("RevocationList.revoke() refuses a session id longer than 256 characters", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  using list = new RevocationList({ kv, now: clock.now });
  const expiresAt = new Date(clock.now().getTime() + 60_000);
  for (const sid of ["s".repeat(257), "s".repeat(5000)]) {
    const err = await assertRejects(() => list.revoke(sid, expiresAt), AuthError, "256 characters");
    assertEquals([err.code, err.status, err.error], ["parameter_too_long", 400, "invalid_request"]);
  }
  assertEquals(list.size, 0);
  assertEquals(await listRevocations(kv, { since: 0, now: clock.now().getTime() }), []);
});
