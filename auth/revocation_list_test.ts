import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { AuthError } from "./errors.ts";
import { startAuthFixture, testClock } from "./_testing.ts";
import { addRevocation, listRevocations } from "./revocation_feed.ts";
import { RevocationList } from "./revocation_list.ts";

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

/** Writes `n` revocations of made-up sessions, revoked a day before `now`, in big atomic batches. */
async function fillFeed(kv: Deno.Kv, n: number, now: number): Promise<void> {
  for (let i = 0; i < n; i += 400) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(n, i + 400); j++) {
      addRevocation(
        op,
        { sid: `filler-${j}`, revokedAt: now - 86_400_000 + j, expiresAt: now + 86_400_000 },
        now,
      );
    }
    assert((await op.commit()).ok);
  }
}

Deno.test("RevocationList.refresh() on a cold start finds a revocation written after 10,000 others", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  await fillFeed(kv, 10_050, clock.now().getTime());
  // The last one was revoked long before the pull: no lookback window reaches it.
  using cold = new RevocationList({ kv, now: clock.now });
  await cold.refresh();
  assert(cold.isRevoked("filler-10049"));
  assert(cold.isRevoked("filler-0"));
  assertEquals(cold.size, 10_050);
});

Deno.test("RevocationList.refresh() reads every page when the page size is small", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  await fillFeed(kv, 11, clock.now().getTime());
  using cold = new RevocationList({ kv, now: clock.now, pageSize: 4 });
  await cold.refresh();
  assertEquals(cold.size, 11);
  assert(cold.isRevoked("filler-10"));
  const listed = await listRevocations(kv, { since: 0, now: clock.now().getTime(), pageSize: 4 });
  assertEquals(listed.length, 11);
});

Deno.test("listRevocations() prunes and skips entries whose session has expired", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = testClock();
  using list = new RevocationList({ kv, now: clock.now });
  const at = clock.now().getTime();
  for (let i = 0; i < 5; i++) await list.revoke(`short-${i}`, new Date(at + 60_000));
  for (let i = 0; i < 3; i++) await list.revoke(`long-${i}`, new Date(at + 3_600_000));
  // KV's own expireIn has not fired (it is lazy, and no real time passed): only our check runs.
  clock.advance(60_000);
  const listed = await listRevocations(kv, { since: 0, now: clock.now().getTime(), pageSize: 2 });
  assertEquals(listed.map((r) => r.sid).sort(), ["long-0", "long-1", "long-2"]);
  const feed = await Array.fromAsync(kv.list<{ sid: string }>({ prefix: ["revocations"] }));
  assertEquals(feed.map((e) => e.value.sid).sort(), ["long-0", "long-1", "long-2"]);
  const points = await Array.fromAsync(kv.list<{ sid: string }>({ prefix: ["revoked"] }));
  assertEquals(points.map((e) => e.value.sid).sort(), ["long-0", "long-1", "long-2"]);
});

Deno.test("GET /oauth/revocations answers pages of at most limit entries with a next cursor", async () => {
  await using f = await startAuthFixture();
  await fillFeed(f.kv, 7, f.clock.now().getTime());
  const seen: string[] = [];
  let query = "since=0&limit=3";
  const sizes: number[] = [];
  for (let page = 0; page < 10; page++) {
    const response = await f.app.request(`/oauth/revocations?${query}`);
    assertEquals(response.status, 200);
    const body = await response.json();
    sizes.push(body.revocations.length);
    seen.push(...body.revocations.map((r: { sid: string }) => r.sid));
    if (body.next === undefined) break;
    query = `since=0&limit=3&after=${encodeURIComponent(body.next)}`;
  }
  assertEquals(sizes, [3, 3, 1]);
  assertEquals(seen, Array.from({ length: 7 }, (_, i) => `filler-${i}`));
  for (
    const bad of ["limit=0", "limit=10001", "limit=x", "after=nope", `after=1:${"s".repeat(257)}`]
  ) {
    const response = await f.app.request(`/oauth/revocations?since=0&${bad}`);
    assertEquals([response.status, (await response.json()).error], [400, "invalid_request"], bad);
  }
});

Deno.test("RevocationList over HTTP pages through the feed until it is exhausted", async () => {
  await using f = await startAuthFixture();
  await fillFeed(f.kv, 7, f.clock.now().getTime());
  const { access_token } = await f.signIn();
  const { sid } = await f.verify(access_token);
  await f.post("/oauth/revoke", { token: access_token });
  const urls: string[] = [];
  const fetchApp: typeof fetch = (input, init) => {
    urls.push(String(input));
    return Promise.resolve(f.app.request(input as string, init));
  };
  using remote = new RevocationList({
    url: "http://ccgate.test/oauth/revocations",
    fetch: fetchApp,
    now: f.clock.now,
    pageSize: 3,
  });
  await remote.refresh();
  // 8 revocations, 3 a page: the session revoked last is on the third page.
  assertEquals(urls.length, 3);
  assert(remote.isRevoked(sid));
  assert(remote.isRevoked("filler-0"));
  assertEquals(remote.size, 8);
});

Deno.test("RevocationList.refresh() keeps what it read when a later page fails, and resumes", async () => {
  await using f = await startAuthFixture();
  await fillFeed(f.kv, 7, f.clock.now().getTime());
  let calls = 0;
  let failThird = true;
  const fetchApp: typeof fetch = (input, init) => {
    calls++;
    if (calls === 3 && failThird) return Promise.reject(new TypeError("connection reset"));
    return Promise.resolve(f.app.request(input as string, init));
  };
  const logs: object[] = [];
  using remote = new RevocationList({
    url: "http://ccgate.test/oauth/revocations",
    fetch: fetchApp,
    now: f.clock.now,
    pageSize: 3,
    log: (r) => logs.push(r),
  });
  await remote.refresh();
  assertEquals(logs.length, 1);
  assertEquals(remote.size, 6);
  assertEquals(remote.isRevoked("filler-6"), false);
  failThird = false;
  f.clock.advance(5_000);
  await remote.refresh();
  assertEquals(remote.size, 7);
  assert(remote.isRevoked("filler-6"));
});

Deno.test("RevocationList.refresh() stops and logs when a feed's next cursor does not move on", async () => {
  const clock = testClock();
  const expiresAt = clock.now().getTime() + 60_000;
  let calls = 0;
  // A broken feed on the far side: every page says there is more, from the same place.
  const brokenFeed: typeof fetch = () => {
    calls++;
    return Promise.resolve(Response.json({
      revocations: [{ sid: "s1", revoked_at: 5, expires_at: expiresAt }],
      next: "5:s1",
    }));
  };
  const logs: object[] = [];
  using remote = new RevocationList({
    url: "http://ccgate.test/oauth/revocations",
    fetch: brokenFeed,
    now: clock.now,
    log: (r) => logs.push(r),
  });
  await remote.refresh();
  assertEquals(calls, 2);
  assertEquals(logs.length, 1);
  assert(remote.isRevoked("s1"));
});
