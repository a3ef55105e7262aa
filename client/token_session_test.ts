import { assertEquals, assertNotEquals, assertRejects } from "../testing/assert.ts";
import { startAuthStack } from "../testing/auth_stack.ts";
import { fakeClock } from "./_testing/fake_clock.ts";
import { serve } from "./_testing/serve.ts";
import { storedSession } from "./_testing/session.ts";
import { SessionError, TokenRequestError, TokenStoreError } from "./errors.ts";
import { exchangeToken } from "./exchange_token.ts";
import { FileLock } from "./file_lock.ts";
import { FileTokenStore } from "./file_token_store.ts";
import { MemoryTokenStore } from "./memory_token_store.ts";
import { TokenSession } from "./token_session.ts";

const NOW = new Date("2026-11-24T12:00:00Z");
const now = () => NOW;

/** A stand-in of the auth service's token and revocation endpoints: rotates refresh tokens. */
function authStandIn() {
  let generation = 1;
  const revoked = new Set<string>();
  const server = serve((request, form) => {
    const path = new URL(request.url).pathname;
    if (path === "/oauth/revoke") {
      revoked.add(form!.get("token")!);
      return new Response(null, { status: 200 });
    }
    const presented = form!.get("refresh_token")!;
    if (presented !== `rt-${generation}` || revoked.has(presented)) {
      return Response.json({ error: "invalid_grant" }, { status: 400 });
    }
    generation++;
    return Response.json({
      access_token: `at-${generation}`,
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: `rt-${generation}`,
    });
  });
  return {
    server,
    revoked,
    session: (expiresInMs: number) =>
      storedSession({
        issuer: server.url,
        tokenEndpoint: `${server.url}/oauth/token`,
        revocationEndpoint: `${server.url}/oauth/revoke`,
        accessToken: "at-1",
        refreshToken: "rt-1",
        expiresAt: NOW.getTime() + expiresInMs,
      }),
    refreshes: () => server.requests.filter((r) => r.path === "/oauth/token").length,
  };
}

Deno.test("TokenSession.accessToken() returns a fresh token without a request", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const session = new TokenSession(new MemoryTokenStore(auth.session(3_600_000)), {
    deps: { now },
  });
  assertEquals(await session.accessToken(), "at-1");
  assertEquals(auth.server.requests.length, 0);
});

Deno.test("TokenSession.accessToken() refreshes within five minutes of expiry and stores the successor", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const store = new MemoryTokenStore(auth.session(299_000));
  const session = new TokenSession(store, { deps: { now } });
  assertEquals(await session.accessToken(), "at-2");
  const stored = await store.load();
  assertEquals(stored?.refreshToken, "rt-2");
  assertEquals(stored?.expiresAt, NOW.getTime() + 3_600_000);
});

Deno.test("TokenSession.accessToken() shares one refresh among concurrent callers", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const session = new TokenSession(new MemoryTokenStore(auth.session(0)), { deps: { now } });
  const tokens = await Promise.all(Array.from({ length: 10 }, () => session.accessToken()));
  assertEquals(new Set(tokens), new Set(["at-2"]));
  assertEquals(auth.refreshes(), 1);
});

Deno.test("TokenSession.accessToken() sends no refresh when another holder of the lock already did", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const store = new MemoryTokenStore(auth.session(0));
  const a = new TokenSession(store, { deps: { now } });
  const b = new TokenSession(store, { deps: { now } });
  assertEquals(await a.accessToken(), "at-2");
  assertEquals(await b.accessToken(), "at-2");
  assertEquals(auth.refreshes(), 1);
});

Deno.test("TokenSession.accessToken() asks for sign-in and forgets the session when the refresh token is refused", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const store = new MemoryTokenStore({ ...auth.session(0), refreshToken: "rt-stolen" });
  const err = await assertRejects(
    () => new TokenSession(store, { deps: { now } }).accessToken(),
    SessionError,
  );
  assertEquals(err.code, "login_required");
  assertEquals(await store.load(), undefined);
});

Deno.test("TokenSession.accessToken() asks for sign-in when there is no session", async () => {
  const err = await assertRejects(
    () => new TokenSession(new MemoryTokenStore()).accessToken(),
    SessionError,
  );
  assertEquals(err.code, "login_required");
});

Deno.test("TokenSession.accessToken() keeps using a valid token while the service is down", async () => {
  const down = serve(() => new Response(null));
  const url = down.url;
  await down[Symbol.asyncDispose]();
  const session = (expiresInMs: number) =>
    new TokenSession(
      new MemoryTokenStore(storedSession({
        tokenEndpoint: `${url}/oauth/token`,
        expiresAt: NOW.getTime() + expiresInMs,
      })),
      { deps: { now, sleep: () => Promise.resolve() } },
    );
  assertEquals(await session(60_000).accessToken(), "at-1");
  const err = await assertRejects(() => session(-1).accessToken(), TokenRequestError);
  assertEquals(err.code, "network_error");
});

Deno.test("TokenSession.refresh() skips a fresh token unless forced", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const session = new TokenSession(new MemoryTokenStore(auth.session(3_600_000)), {
    deps: { now },
  });
  assertEquals((await session.refresh({ ifExpiresWithinSeconds: 900 })).accessToken, "at-1");
  assertEquals(auth.refreshes(), 0);
  assertEquals((await session.refresh()).accessToken, "at-2");
  assertEquals(auth.refreshes(), 1);
});

Deno.test("TokenSession.start() stores a new session and revokes the previous one", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const store = new MemoryTokenStore(auth.session(3_600_000));
  const session = new TokenSession(store, { deps: { now } });
  const started = await session.start({
    issuer: auth.server.url,
    tokenEndpoint: `${auth.server.url}/oauth/token`,
  }, { accessToken: "new-at", tokenType: "Bearer", expiresIn: 60, refreshToken: "new-rt" });
  assertEquals(started.expiresAt, NOW.getTime() + 60_000);
  assertEquals((await store.load())?.refreshToken, "new-rt");
  assertEquals([...auth.revoked], ["rt-1"]);
});

Deno.test("TokenSession.logout() revokes, then forgets, and still forgets when revocation fails", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const store = new MemoryTokenStore(auth.session(3_600_000));
  const result = await new TokenSession(store, { deps: { now } }).logout();
  assertEquals(result, { hadSession: true, revoked: true, error: undefined });
  assertEquals([...auth.revoked], ["rt-1"]);
  assertEquals(await store.load(), undefined);
  assertEquals(
    await new TokenSession(store).logout(),
    { hadSession: false, revoked: false },
  );

  const down = serve(() => new Response(null, { status: 503 }));
  const failing = new MemoryTokenStore(
    storedSession({ revocationEndpoint: `${down.url}/oauth/revoke` }),
  );
  const failed = await new TokenSession(failing).logout();
  await down[Symbol.asyncDispose]();
  assertEquals(failed.revoked, false);
  assertEquals(failed.error?.code, "network_error");
  assertEquals(await failing.load(), undefined);
});

Deno.test("TokenSession.accessToken() retries a refresh whose answer was lost inside the grace window, so the session survives", async () => {
  const clock = fakeClock(new Date());
  await using stack = await startAuthStack({
    env: { CCGATE_REFRESH_GRACE: "5", CCGATE_ACCESS_TTL: "60" },
    now: clock.now,
  });
  const entraToken = await stack.entra.mintAccessToken({ user: { oid: "oid-alice" } });
  const tokens = await exchangeToken(`${stack.url}/oauth/token`, entraToken);
  // The request reaches the auth service (which rotates the refresh token), the answer is lost.
  let lose = 1;
  const lossy: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (lose === 0) return response;
    lose--;
    await response.body?.cancel();
    throw new TypeError("connection reset by peer");
  };
  const pauses: number[] = [];
  const sleep = (ms: number) => {
    pauses.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  };
  const store = new MemoryTokenStore();
  const session = new TokenSession(store, { deps: { now: clock.now, fetch: lossy, sleep } });
  await session.start({ issuer: stack.url, tokenEndpoint: `${stack.url}/oauth/token` }, tokens);

  const token = await session.accessToken(); // 60 s left: within five minutes of expiry
  assertNotEquals(token, tokens.accessToken);
  assertNotEquals((await store.load())?.refreshToken, tokens.refreshToken);
  assertEquals(stack.counts.refresh, 2);
  assertEquals(pauses, [500]);

  // Past the grace window, the session is alive: the next refresh works.
  clock.advance(7_000);
  const next = await session.refresh();
  assertNotEquals(next.accessToken, token);
  assertEquals(stack.counts.refresh, 3);
});

Deno.test("TokenSession.refresh() retries an unanswered refresh twice, then reports network_error", async () => {
  await using down = serve(() => new Response("bad gateway", { status: 502 }));
  const pauses: number[] = [];
  const store = new MemoryTokenStore(
    storedSession({ tokenEndpoint: `${down.url}/oauth/token` }, NOW.getTime()),
  );
  const session = new TokenSession(store, {
    deps: { now, sleep: (ms) => Promise.resolve(void pauses.push(ms)) },
  });
  const err = await assertRejects(() => session.refresh(), TokenRequestError);
  assertEquals(err.code, "network_error");
  assertEquals(down.requests.map((r) => r.form?.get("refresh_token")), ["rt-1", "rt-1", "rt-1"]);
  assertEquals(pauses, [500, 1_500]);
  assertEquals((await store.load())?.refreshToken, "rt-1");
});

Deno.test("TokenSession.refresh() starts no retry later than 20 s after the first attempt", async () => {
  const clock = fakeClock(NOW);
  let attempts = 0;
  const timingOut: typeof fetch = () => {
    attempts++;
    clock.advance(15_000); // an attempt that timed out after 15 s
    return Promise.reject(new DOMException("timed out", "TimeoutError"));
  };
  const session = new TokenSession(new MemoryTokenStore(storedSession({}, NOW.getTime())), {
    deps: { now: clock.now, fetch: timingOut, sleep: () => Promise.resolve() },
  });
  const err = await assertRejects(() => session.refresh(), TokenRequestError);
  assertEquals(err.code, "network_error");
  assertEquals(attempts, 2);
});

Deno.test("TokenSession.refresh() does not retry a refusal: a refused grant or HTTP 429", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const sleep = () => Promise.reject(new Error("no retry expected"));
  const refused = new MemoryTokenStore({ ...auth.session(0), refreshToken: "rt-stolen" });
  await assertRejects(
    () => new TokenSession(refused, { deps: { now, sleep } }).refresh(),
    SessionError,
  );
  assertEquals(auth.refreshes(), 1);

  await using limited = serve(() =>
    Response.json({ error: "slow_down" }, { status: 429, headers: { "retry-after": "120" } })
  );
  const store = new MemoryTokenStore(storedSession({ tokenEndpoint: `${limited.url}/t` }));
  const err = await assertRejects(
    () => new TokenSession(store, { deps: { now, sleep } }).refresh(),
    TokenRequestError,
  );
  assertEquals([err.code, err.retryAfterSeconds, limited.requests.length], [
    "rate_limited",
    120,
    1,
  ]);
});

Deno.test("TokenSession.refresh() forced while a conditional refresh is in flight still refreshes", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const session = new TokenSession(new MemoryTokenStore(auth.session(3_600_000)), {
    deps: { now },
  });
  const [conditional, forced] = await Promise.all([
    session.refresh({ ifExpiresWithinSeconds: 60 }),
    session.refresh(),
  ]);
  assertEquals([conditional.accessToken, forced.accessToken], ["at-1", "at-2"]);
  assertEquals(auth.refreshes(), 1);
  // Forced calls made together still share one refresh.
  const both = await Promise.all([session.refresh(), session.refresh()]);
  assertEquals(both.map((s) => s.accessToken), ["at-3", "at-3"]);
  assertEquals(auth.refreshes(), 2);
});

Deno.test("TokenSession.refresh() takes an expires_in longer than a day as a day", async () => {
  await using server = serve(() =>
    Response.json({ access_token: "at-2", token_type: "Bearer", expires_in: 1e12 })
  );
  const store = new MemoryTokenStore(
    storedSession({ tokenEndpoint: `${server.url}/oauth/token` }, NOW.getTime()),
  );
  const refreshed = await new TokenSession(store, { deps: { now } }).refresh();
  assertEquals(refreshed.expiresAt, NOW.getTime() + 86_400_000);
});

Deno.test("TokenSession.accessToken() returns the still-valid token when another process holds the lock", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const held = await new FileLock(`${dir}/session.lock`).acquire();
    try {
      const session = (expiresInMs: number) =>
        new TokenSession(
          new MemoryTokenStore(storedSession({ expiresAt: NOW.getTime() + expiresInMs })),
          { lock: new FileLock(`${dir}/session.lock`, { timeoutMs: 1 }), deps: { now } },
        );
      assertEquals(await session(60_000).accessToken(), "at-1");
      const err = await assertRejects(() => session(-1).accessToken(), TokenStoreError);
      assertEquals(err.code, "store_lock_timeout");
    } finally {
      await held.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TokenSession.logout() clears a store that holds no readable session, without revoking", async () => {
  const auth = authStandIn();
  await using _ = auth.server;
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/session.json`;
    const store = new FileTokenStore(path);
    await store.save(auth.session(3_600_000));
    const good = await Deno.readTextFile(path);
    const corrupt = [
      good.slice(0, good.length / 2),
      "",
      "\u0000\u0000" + good,
      good.replace('"version":1', '"version":2'),
      good.replace(/"expiresAt":(\d+)/, '"expiresAt":"$1"'),
    ];
    for (const text of corrupt) {
      await Deno.writeTextFile(path, text);
      const result = await new TokenSession(store, { deps: { now } }).logout();
      assertEquals(result, { hadSession: true, revoked: false, unreadable: true });
      assertEquals(await store.load(), undefined);
    }
    assertEquals(auth.server.requests.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
