import { assertEquals, assertRejects } from "../testing/assert.ts";
import { serve } from "./_testing/serve.ts";
import { storedSession } from "./_testing/session.ts";
import { SessionError, TokenRequestError } from "./errors.ts";
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
      { deps: { now } },
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
