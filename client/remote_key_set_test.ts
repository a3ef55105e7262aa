import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../testing/assert.ts";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { AccessTokenError } from "./errors.ts";
import { RemoteKeySet } from "./remote_key_set.ts";
import { verifyAccessToken } from "./verify_access_token.ts";
import { fakeClock } from "./_testing/fake_clock.ts";
import { serve } from "./_testing/serve.ts";
import { accessTokenClaims, TEST_ISSUER, TEST_NOW } from "./_testing/access_token_claims.ts";

const ISSUER = TEST_ISSUER;
const NOW = TEST_NOW;

const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
const publicJwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };

function sign(kid = "k1", payload: JWTPayload = {}): Promise<string> {
  return new SignJWT(accessTokenClaims(payload))
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid })
    .sign(privateKey);
}

/** The auth service's far side over a real socket: its JWKS while `up`, a 502 HTML page while down. */
function authService() {
  const state = { up: true };
  const server = serve(() =>
    state.up
      ? Response.json({ keys: [publicJwk] })
      : new Response("<html><body>502 Bad Gateway</body></html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      })
  );
  const url = new URL(`${server.url}/.well-known/jwks.json`);
  return { state, server, url, fetches: () => server.requests.length };
}

/** Verifies `token` with `keys`, returning the claims' `sub` or the error's code. */
function outcome(keys: RemoteKeySet, token: string): Promise<string> {
  return verifyAccessToken(token, {
    key: keys.key,
    issuer: ISSUER,
    audience: "ccgate",
    currentDate: NOW,
  }).then((claims) => claims.sub, (err) => {
    if (err instanceof AccessTokenError) return err.code;
    throw err;
  });
}

Deno.test("RemoteKeySet fetches at most once per retryAfterFailureMs while the key source fails", async () => {
  const auth = authService();
  await using _ = auth.server;
  auth.state.up = false;
  const clock = fakeClock();
  const keys = new RemoteKeySet(auth.url, { now: clock.now, retryAfterFailureMs: 5_000 });
  const token = await sign();
  for (let i = 0; i < 100; i++) assertEquals(await outcome(keys, token), "token_keys_unavailable");
  assertEquals(auth.fetches(), 1);
  clock.advance(4_999);
  assertEquals(await outcome(keys, token), "token_keys_unavailable");
  assertEquals(auth.fetches(), 1);
  clock.advance(1);
  auth.state.up = true;
  assertEquals(await outcome(keys, token), "oid-1");
  assertEquals(auth.fetches(), 2);
});

Deno.test("RemoteKeySet shares one fetch among concurrent verifications", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  await using server = serve(async () => {
    await released;
    return Response.json({ keys: [publicJwk] });
  });
  const keys = new RemoteKeySet(new URL(`${server.url}/jwks.json`), { now: fakeClock().now });
  const token = await sign();
  const pending = Array.from({ length: 20 }, () => outcome(keys, token));
  release();
  assertEquals(new Set(await Promise.all(pending)), new Set(["oid-1"]));
  assertEquals(server.requests.length, 1);
});

Deno.test("RemoteKeySet keeps verifying known key ids with stale keys for staleGraceMs while the key source is down", async () => {
  const auth = authService();
  await using _ = auth.server;
  const clock = fakeClock();
  const keys = new RemoteKeySet(auth.url, {
    now: clock.now,
    maxAgeMs: 600_000,
    staleGraceMs: 1_800_000,
    retryAfterFailureMs: 5_000,
  });
  const token = await sign();
  assertEquals(await outcome(keys, token), "oid-1");
  auth.state.up = false;
  clock.advance(660_000); // 11 minutes: stale, within the grace
  assertEquals(await outcome(keys, token), "oid-1");
  assertEquals(auth.fetches(), 2);
  for (let i = 0; i < 50; i++) assertEquals(await outcome(keys, token), "oid-1");
  assertEquals(auth.fetches(), 2);
  // A key id the stale keys lack may be new: unavailable, not unknown.
  assertEquals(await outcome(keys, await sign("k2")), "token_keys_unavailable");
  clock.advance(600_000 + 1_800_000 - 660_000); // the grace is over
  assertEquals(await outcome(keys, token), "token_keys_unavailable");
  assertEquals(auth.fetches(), 3);
});

Deno.test("RemoteKeySet refetches for an unknown key id only after the cooldown", async () => {
  const auth = authService();
  await using _ = auth.server;
  const clock = fakeClock();
  const keys = new RemoteKeySet(auth.url, { now: clock.now, cooldownMs: 30_000 });
  assertEquals(await outcome(keys, await sign()), "oid-1");
  assertEquals(await outcome(keys, await sign("k2")), "token_key_unknown");
  assertEquals(auth.fetches(), 1);
  clock.advance(30_000);
  assertEquals(await outcome(keys, await sign("k2")), "token_key_unknown");
  assertEquals(auth.fetches(), 2);
});

Deno.test("RemoteKeySet names the key source and what it answered, and follows no redirect", async () => {
  const answers = [
    new Response("oops", { status: 500 }),
    new Response("<html>sign in</html>", { status: 200 }),
    new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } }),
    Response.json({ keys: "none" }),
  ];
  await using server = serve(() => answers.shift()!);
  const reasons = [];
  for (let i = 0; i < 4; i++) {
    const keys = new RemoteKeySet(new URL(`${server.url}/jwks-${i}.json`));
    const err = await assertRejects(() => keys.reload(), AccessTokenError);
    assertEquals(err.code, "token_keys_unavailable");
    assertStringIncludes(err.message, `${server.url}/jwks-${i}.json`);
    reasons.push(err.message.slice(err.message.lastIndexOf(": ") + 2));
  }
  assertEquals(reasons, [
    "HTTP 500, expected 200",
    "the answer is not JSON",
    "HTTP 302, expected 200",
    "the answer is not a JSON Web Key Set",
  ]);
  assertEquals(server.requests.length, 4);
});

Deno.test("RemoteKeySet refuses plain http to a host other than loopback, unless allowed", () => {
  for (
    const href of ["http://ccgate.example.com/jwks.json", "ftp://ccgate.example.com/jwks.json"]
  ) {
    assertThrows(() => new RemoteKeySet(new URL(href)), TypeError);
  }
  new RemoteKeySet(new URL("https://ccgate.example.com/jwks.json"));
  new RemoteKeySet(new URL("http://localhost:8000/jwks.json"));
  new RemoteKeySet(new URL("http://[::1]:8000/jwks.json"));
  new RemoteKeySet(new URL("http://auth.internal/jwks.json"), { allowInsecureHttp: true });
});
