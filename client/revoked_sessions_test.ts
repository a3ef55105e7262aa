import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../testing/assert.ts";
import { RevocationFeedError, TokenRequestError } from "./errors.ts";
import type { Revocation } from "./revocation_feed_reader.ts";
import { RevokedSessions } from "./revoked_sessions.ts";
import { fakeClock } from "./_testing/fake_clock.ts";

const FEED = "https://ccgate.test/oauth/revocations";

/**
 * The auth service's far side, as a `fetch`: the feed's contract over a list
 * of revocations (oldest first, `since`, `limit`, `after`, `next`), with the
 * requests it saw and failures on demand.
 */
function fakeFeed(now: () => Date) {
  const entries: Revocation[] = [];
  const queries: URLSearchParams[] = [];
  const state: { fail?: (n: number) => Response | Error | undefined } = {};
  const fetch: typeof globalThis.fetch = (input) => {
    const url = new URL(String(input));
    queries.push(url.searchParams);
    const failure = state.fail?.(queries.length);
    if (failure instanceof Error) return Promise.reject(failure);
    if (failure !== undefined) return Promise.resolve(failure);
    const since = Number(url.searchParams.get("since"));
    const limit = Number(url.searchParams.get("limit") ?? 10_000);
    const after = url.searchParams.get("after");
    const sorted = entries.toSorted((a, b) => a.revokedAt - b.revokedAt);
    const from = after === null
      ? sorted.findIndex((r) => r.revokedAt >= since)
      : sorted.findIndex((r) => `${r.revokedAt}:${r.sid}` === after) + 1;
    const page = from < 0 ? [] : sorted.slice(from, from + limit);
    const more = from >= 0 && from + limit < sorted.length;
    return Promise.resolve(Response.json({
      revocations: page.filter((r) => r.expiresAt > now().getTime()).map((r) => ({
        sid: r.sid,
        revoked_at: r.revokedAt,
        expires_at: r.expiresAt,
      })),
      ...(more ? { next: `${page.at(-1)!.revokedAt}:${page.at(-1)!.sid}` } : {}),
    }));
  };
  const revoke = (sid: string, at: number, ttl = 3_600_000) =>
    entries.push({ sid, revokedAt: at, expiresAt: at + ttl });
  return { fetch, queries, state, revoke };
}

/** Timers that only tick when the test says so. */
/** A fake feed that has revoked session `s1`, and a list reading it that records its errors. */
function withOneRevoked() {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  feed.revoke("s1", clock.now().getTime());
  const errors: RevocationFeedError[] = [];
  const revoked = new RevokedSessions(FEED, {
    fetch: feed.fetch,
    now: clock.now,
    onError: (err) => errors.push(err),
  });
  return { clock, feed, errors, revoked };
}

function manualTimers() {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  return {
    setInterval: (fn: () => void) => {
      callbacks.set(next, fn);
      return next++;
    },
    clearInterval: (id: number) => void callbacks.delete(id),
    tick: () => callbacks.forEach((fn) => fn()),
    get active() {
      return callbacks.size;
    },
  };
}

Deno.test("RevokedSessions.refresh() reads every page of the feed, asking after each next", async () => {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  const at = clock.now().getTime();
  for (let i = 0; i < 7; i++) feed.revoke(`s${i}`, at - 86_400_000 + i, 2 * 86_400_000);
  using revoked = new RevokedSessions(FEED, { fetch: feed.fetch, now: clock.now, pageSize: 3 });
  await revoked.refresh();
  assertEquals(revoked.size, 7);
  assert(revoked.isRevoked("s0") && revoked.isRevoked("s6"));
  assertEquals(feed.queries.map((q) => [q.get("limit"), q.get("after")]), [
    ["3", null],
    ["3", `${at - 86_400_000 + 2}:s2`],
    ["3", `${at - 86_400_000 + 5}:s5`],
  ]);
  assertEquals(revoked.refreshedAt, clock.now());
});

Deno.test("RevokedSessions.refresh() asks from the last pull less lookbackMs, and finds a revocation made since", async () => {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  using revoked = new RevokedSessions(FEED, {
    fetch: feed.fetch,
    now: clock.now,
    lookbackMs: 60_000,
  });
  const first = clock.now().getTime();
  await revoked.refresh();
  assertEquals(revoked.isRevoked("s1"), false);
  clock.advance(5_000);
  // Revoked "before" the last pull by the auth service's clock, 30 s behind: the lookback covers it.
  feed.revoke("s1", first - 30_000);
  await revoked.refresh();
  assert(revoked.isRevoked("s1"));
  assertEquals(feed.queries.map((q) => q.get("since")), ["0", String(first - 60_000)]);
});

Deno.test("RevokedSessions forgets a revocation once its session has expired", async () => {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  const at = clock.now().getTime();
  feed.revoke("short", at, 60_000);
  feed.revoke("long", at, 3_600_000);
  using revoked = new RevokedSessions(FEED, { fetch: feed.fetch, now: clock.now });
  await revoked.refresh();
  assertEquals(revoked.size, 2);
  clock.advance(60_000);
  assertEquals(revoked.isRevoked("short"), false);
  assert(revoked.isRevoked("long"));
  assertEquals(revoked.size, 1);
  await revoked.refresh(); // the pull isRevoked began (its list was 60 s old)
  // Expired entries are pruned by each pull too, asked about or not.
  revoked.remember({ sid: "other", revokedAt: at, expiresAt: at + 61_000 });
  clock.advance(1_000);
  await revoked.refresh();
  assertEquals(revoked.size, 1);
  revoked.remember({ sid: "gone", revokedAt: at, expiresAt: at });
  assertEquals(revoked.size, 1);
});

Deno.test("RevokedSessions.refresh() keeps the last list when the feed fails, rejects and tells onError", async () => {
  const { clock, feed, errors, revoked: sessions } = withOneRevoked();
  using revoked = sessions;
  await revoked.refresh();
  const refreshedAt = revoked.refreshedAt;
  const answers: [Response | Error, string, string][] = [
    [new TypeError("connection refused"), "network_error", "it is unreachable"],
    [new Response("busy", { status: 503 }), "network_error", "HTTP 503"],
    [new Response("slow down", { status: 429 }), "network_error", "HTTP 429"],
    [new Response("no", { status: 404 }), "response_invalid", "HTTP 404"],
    [
      new Response(null, { status: 302, headers: { location: "https://sso.test/" } }),
      "response_invalid",
      "HTTP 302",
    ],
    [new Response("<html>sign in</html>"), "response_invalid", "not JSON"],
    [Response.json({ sessions: [] }), "response_invalid", 'no "revocations" list'],
    [Response.json({ revocations: [], next: 5 }), "response_invalid", '"next" is not a cursor'],
  ];
  for (const [answer, code, text] of answers) {
    feed.state.fail = () => answer;
    clock.advance(5_000);
    const err = await assertRejects(() => revoked.refresh(), RevocationFeedError);
    assertEquals(err.code, code, text);
    assertStringIncludes(err.message, '"https://ccgate.test/oauth/revocations"');
    assertStringIncludes(err.message, text);
    assert(revoked.isRevoked("s1"));
  }
  assertEquals(errors.map((e) => e.code), answers.map((a) => a[1]));
  assertEquals(revoked.refreshedAt, refreshedAt);
  feed.state.fail = undefined;
  await revoked.refresh();
  assertEquals(revoked.refreshedAt, clock.now());
});

Deno.test("RevokedSessions.refresh() keeps what it read when a later page fails, and goes on from there", async () => {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  const at = clock.now().getTime() - 86_400_000;
  for (let i = 0; i < 7; i++) feed.revoke(`s${i}`, at + i * 1_000, 2 * 86_400_000);
  using revoked = new RevokedSessions(FEED, {
    fetch: feed.fetch,
    now: clock.now,
    pageSize: 3,
    lookbackMs: 500,
  });
  feed.state.fail = (n) => n === 3 ? new TypeError("connection reset") : undefined;
  await assertRejects(() => revoked.refresh(), RevocationFeedError);
  assertEquals(revoked.size, 6);
  assertEquals(revoked.isRevoked("s6"), false);
  feed.state.fail = undefined;
  clock.advance(5_000);
  await revoked.refresh();
  assert(revoked.isRevoked("s6"));
  // From the last entry read (s5), less the lookback: not from the beginning again.
  assertEquals(feed.queries.at(-1)!.get("since"), String(at + 5_000 - 500));
  assertEquals(feed.queries.at(-1)!.get("after"), null);
});

Deno.test("RevokedSessions.refresh() fails with response_invalid when the feed's next cursor comes back", async () => {
  const clock = fakeClock();
  let calls = 0;
  const loop: typeof fetch = () => {
    calls++;
    const next = calls % 2 === 0 ? "a" : "b"; // a, b, a, ...: never the end
    return Promise.resolve(Response.json({ revocations: [], next }));
  };
  using revoked = new RevokedSessions(FEED, { fetch: loop, now: clock.now });
  const err = await assertRejects(() => revoked.refresh(), RevocationFeedError, "does not move on");
  assertEquals([err.code, calls], ["response_invalid", 3]);
});

Deno.test("RevokedSessions never asks from later than its own clock, whatever revoked_at the feed says", async () => {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  const now = clock.now().getTime();
  feed.revoke("future", now + 86_400_000, 86_400_000 * 2);
  using revoked = new RevokedSessions(FEED, { fetch: feed.fetch, now: clock.now });
  await revoked.refresh();
  clock.advance(5_000);
  await revoked.refresh();
  assertEquals(feed.queries.at(-1)!.get("since"), String(now - 120_000));
});

Deno.test("RevokedSessions.start() pulls at once and at every tick until stopped", async () => {
  const clock = fakeClock();
  const feed = fakeFeed(clock.now);
  const timers = manualTimers();
  const revoked = new RevokedSessions(FEED, { fetch: feed.fetch, now: clock.now, timers });
  assertEquals(revoked.start(), revoked);
  revoked.start();
  await revoked.refresh(); // the pull start() began
  assertEquals([feed.queries.length, timers.active], [1, 1]);
  feed.revoke("s1", clock.now().getTime());
  clock.advance(5_000);
  timers.tick();
  await revoked.refresh();
  assert(revoked.isRevoked("s1"));
  assertEquals(feed.queries.length, 2);
  revoked[Symbol.dispose]();
  assertEquals(timers.active, 0);
});

Deno.test("RevokedSessions.isRevoked() pulls in the background, at most once per refreshIntervalMs", async () => {
  const { clock, feed, errors, revoked: sessions } = withOneRevoked();
  using revoked = sessions;
  const { isRevoked } = revoked; // bound: usable as verifyAccessToken's isRevoked
  assertEquals(isRevoked("s1"), false);
  await revoked.refresh(); // the pull isRevoked began
  assert(isRevoked("s1"));
  assertEquals(feed.queries.length, 1);
  clock.advance(4_999);
  isRevoked("s1");
  assertEquals(feed.queries.length, 1);
  // A failing background pull is only reported to onError.
  feed.state.fail = () => new Response(null, { status: 502 });
  clock.advance(1);
  isRevoked("s1");
  await revoked.refresh().catch(() => {});
  assertEquals([feed.queries.length, errors.map((e) => e.code)], [2, ["network_error"]]);
});

Deno.test("RevokedSessions takes a feed reader of its own, and counts its failure as network_error", async () => {
  const clock = fakeClock();
  const at = clock.now().getTime();
  let fail = false;
  using revoked = new RevokedSessions(
    (query) =>
      fail ? Promise.reject(new Error("KV down")) : Promise.resolve({
        revocations: [{ sid: `since-${query.since}`, revokedAt: at, expiresAt: at + 60_000 }],
      }),
    { now: clock.now },
  );
  await revoked.refresh();
  assert(revoked.isRevoked("since-0"));
  fail = true;
  const err = await assertRejects(() => revoked.refresh(), RevocationFeedError);
  assertEquals(err.code, "network_error");
  assertEquals((err.cause as Error).message, "KV down");
});

Deno.test("RevokedSessions refuses a feed URL that is not https, except to loopback or when allowed", () => {
  const cases = ["http://ccgate.example.com/oauth/revocations", "ftp://ccgate.example.com/"];
  for (const url of cases) {
    const err = assertThrows(() => new RevokedSessions(url), TypeError);
    assertStringIncludes(err.message, "Cannot use the revocation feed at");
  }
  new RevokedSessions("http://127.0.0.1:8000/oauth/revocations");
  new RevokedSessions(cases[0]!, { allowInsecureHttp: true });
  assertThrows(() => new RevokedSessions(cases[1]!, { allowInsecureHttp: true }), TypeError);
  for (const options of [{ pageSize: 0 }, { pageSize: 10_001 }, { refreshIntervalMs: 0 }]) {
    assertThrows(() => new RevokedSessions(FEED, options), RangeError);
  }
});

/** The auth service's metadata and feed, at `/.well-known/...` and wherever it names the feed. */
function fakeAuthService(metadata: Record<string, unknown>) {
  const feed = fakeFeed(() => new Date());
  const fetch: typeof globalThis.fetch = (input, init) =>
    new URL(String(input)).pathname === "/.well-known/oauth-authorization-server"
      ? Promise.resolve(Response.json({
        issuer: "https://ccgate.test",
        token_endpoint: "https://ccgate.test/oauth/token",
        ...metadata,
      }))
      : feed.fetch(input, init);
  return { fetch, feed };
}

Deno.test("RevokedSessions.fromIssuer() reads the feed its metadata names", async () => {
  const auth = fakeAuthService({
    ccgate_revocations_endpoint: "https://feed.ccgate.test/v2/revoked",
  });
  auth.feed.revoke("s1", Date.now());
  const urls: string[] = [];
  using revoked = await RevokedSessions.fromIssuer("https://ccgate.test", {
    fetch: (input, init) => (urls.push(String(input)), auth.fetch(input, init)),
  });
  await revoked.refresh();
  assert(revoked.isRevoked("s1"));
  assertEquals(
    new URL(urls.at(-1)!).origin + new URL(urls.at(-1)!).pathname,
    "https://feed.ccgate.test/v2/revoked",
  );
});

Deno.test("RevokedSessions.fromIssuer() fails with response_invalid when the metadata names no feed", async () => {
  const auth = fakeAuthService({});
  const err = await assertRejects(
    () => RevokedSessions.fromIssuer("https://ccgate.test", { fetch: auth.fetch }),
    RevocationFeedError,
    "ccgate_revocations_endpoint",
  );
  assertEquals(err.code, "response_invalid");
  const notCcgate = await assertRejects(
    () => RevokedSessions.fromIssuer("ccgate.test"),
    TokenRequestError,
  );
  assertEquals(notCcgate.code, "endpoint_invalid");
});

Deno.test("RevokedSessions.fromIssuer() takes a plain http issuer on another machine only when allowed", async () => {
  const auth = fakeAuthService({
    issuer: "http://ccgate.test",
    token_endpoint: "http://ccgate.test/oauth/token",
    ccgate_revocations_endpoint: "http://ccgate.test/oauth/revocations",
  });
  const err = await assertRejects(
    () => RevokedSessions.fromIssuer("http://ccgate.test", { fetch: auth.fetch }),
    TokenRequestError,
  );
  assertEquals(err.code, "endpoint_invalid");
  using revoked = await RevokedSessions.fromIssuer("http://ccgate.test", {
    fetch: auth.fetch,
    allowInsecureHttp: true,
  });
  await revoked.refresh();
  assertEquals(revoked.size, 0);
});
