import { Hono } from "hono";
import { RevocationList } from "../auth/revocation_list.ts";
import { startAuthFixture } from "../auth/_testing.ts";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { RevocationFeedHealth } from "./revocation_feed_health.ts";
import { readyzRoute } from "./readyz_route.ts";

/** Timers that never fire: the test pulls with `refresh()` itself. */
const manualTimers = { setInterval: () => 0, clearInterval: () => {} };

Deno.test("RevocationFeedHealth makes /readyz 503 once the real auth feed is unreachable for longer than the bound, logging once each way", async () => {
  await using auth = await startAuthFixture();
  const clock = auth.clock;
  const serve = (port = 0) =>
    Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, auth.app.fetch);
  let server = serve();
  const port = server.addr.port;
  const url = `http://127.0.0.1:${port}/oauth/revocations`;
  const logs: Record<string, unknown>[] = [];
  const health = new RevocationFeedHealth({
    url,
    maxAgeMs: 60_000,
    now: clock.now,
    log: (record) => logs.push(record),
  });
  using list = new RevocationList({
    url,
    fetch: health.fetch,
    now: clock.now,
    timers: manualTimers,
  });
  const app = new Hono().get("/readyz", readyzRoute([health.readiness()]));
  const readyz = async () => {
    const response = await app.request("/readyz");
    return { status: response.status, body: await response.json() };
  };
  const events = () => logs.map((r) => r.event);
  try {
    const cold = await readyz();
    assertEquals(cold.status, 503);
    assertStringIncludes(cold.body.checks[0].detail, "never pulled");
    assertEquals(events(), ["revocation_feed_stale"]);

    // A revocation reaches the gateway over the real feed; the pull makes it ready.
    const user = await auth.signIn();
    const { sid } = await auth.verify(user.access_token);
    const logout = await auth.post("/oauth/revoke", { token: user.refresh_token });
    assertEquals(logout.status, 200);
    await list.refresh();
    assert(list.isRevoked(sid));
    assertEquals((await readyz()).body, {
      status: "ready",
      checks: [{ name: "revocations", ok: true, detail: "pulled 0 s ago" }],
    });
    assertEquals(events(), ["revocation_feed_stale", "revocation_feed_recovered"]);

    // The auth service goes away: within the bound the gateway is still ready.
    await server.shutdown();
    clock.advance(59_000);
    await list.refresh();
    assertEquals((await readyz()).status, 200);
    clock.advance(2_000);
    await list.refresh();
    const stale = await readyz();
    assertEquals(stale.status, 503);
    assertEquals(stale.body.status, "not_ready");
    assertEquals(stale.body.checks[0].name, "revocations");
    assertEquals(stale.body.checks[0].ok, false);
    assertStringIncludes(stale.body.checks[0].detail, url);
    assertStringIncludes(stale.body.checks[0].detail, "last pulled 61 s ago");
    assertStringIncludes(stale.body.checks[0].detail, "last error: TypeError");
    // Later failed pulls and checks do not log again.
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000);
      await list.refresh();
      assertEquals((await readyz()).status, 503);
    }
    const staleLogs = logs.filter((r) => r.event === "revocation_feed_stale");
    assertEquals(staleLogs.length, 2);
    assertEquals(staleLogs[1]!.level, "warn");
    assertEquals(staleLogs[1]!.ageMs, 61_000);

    // Back on the same socket: the next pull makes it ready and is logged once.
    server = serve(port);
    await list.refresh();
    assertEquals((await readyz()).status, 200);
    await list.refresh();
    assertEquals(events(), [
      "revocation_feed_stale",
      "revocation_feed_recovered",
      "revocation_feed_stale",
      "revocation_feed_recovered",
    ]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("RevocationFeedHealth counts an error status or a body that is not the feed as a failed pull", async () => {
  const clock = { t: 0, now: () => new Date(clock.t) };
  const answers = [
    new Response('{"revocations":[]}'),
    new Response("nope", { status: 500 }),
    new Response("<html>login</html>"),
  ];
  const logs: Record<string, unknown>[] = [];
  const health = new RevocationFeedHealth({
    url: "http://auth.test/oauth/revocations",
    maxAgeMs: 10_000,
    now: clock.now,
    log: (record) => logs.push(record),
    fetch: () => Promise.resolve(answers.shift()!),
  });
  const check = health.readiness();
  assertEquals(await (await health.fetch("http://auth.test/oauth/revocations")).json(), {
    revocations: [],
  });
  clock.t = 11_000;
  assertEquals((await health.fetch("http://auth.test/oauth/revocations")).status, 500);
  const error = await check.check().then(() => "", (err: Error) => err.message);
  assertStringIncludes(error, "last error: HTTP 500");
  assertEquals(
    await (await health.fetch("http://auth.test/oauth/revocations")).text(),
    "<html>login</html>",
  );
  const again = await check.check().then(() => "", (err: Error) => err.message);
  assertStringIncludes(again, "last error: not a revocation feed body");
  assertEquals(logs.map((r) => r.event), ["revocation_feed_stale"]);
});
