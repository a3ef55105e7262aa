import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { AccessTokenError, verifyAccessToken } from "@ccgate/client";
import { assertEquals, assertRejects } from "../testing/assert.ts";
import type { LogRecord } from "./log.ts";
import { JwksKeySet } from "./jwks_key_set.ts";

const URL_ = new URL("https://auth.test/.well-known/jwks.json");
const ISSUER = "https://auth.test";

/** The auth service's far side: its JWKS while `up`, a refused connection otherwise. */
async function authService() {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const state = { up: true, fetches: 0 };
  const fetchImpl: typeof fetch = (input) => {
    state.fetches++;
    assertEquals(String(input), URL_.href);
    return state.up
      ? Promise.resolve(Response.json({ keys: [jwk] }))
      : Promise.reject(new TypeError("error sending request: Connection refused"));
  };
  const token = (now: Date) =>
    new SignJWT({ sid: "s1", client_id: "c1", jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" })
      .setIssuer(ISSUER).setAudience("ccgate").setSubject("u1")
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 3600)
      .sign(privateKey);
  return { state, fetch: fetchImpl, token };
}

function clock(start = Date.parse("2026-11-30T12:00:00Z")) {
  let at = start;
  return { now: () => new Date(at), advance: (ms: number) => at += ms };
}

function setUp(auth: Awaited<ReturnType<typeof authService>>) {
  const time = clock();
  const logged: LogRecord[] = [];
  const keys = new JwksKeySet({
    url: URL_,
    now: time.now,
    log: (r) => logged.push(r),
    fetch: auth.fetch,
    maxAgeMs: 600_000,
    probeIntervalMs: 5_000,
  });
  return { keys, time, logged, check: keys.readiness() };
}

Deno.test("JwksKeySet.readiness() fetches the keys when none are held and passes", async () => {
  const auth = await authService();
  const { check, logged } = setUp(auth);
  assertEquals(check.name, "auth");
  assertEquals(await check.check(), "1 key fetched 0 s ago");
  assertEquals(auth.state.fetches, 1);
  assertEquals(logged, []);
});

Deno.test("JwksKeySet.readiness() stays ready without a fetch while the keys are younger than maxAgeMs, the auth service down", async () => {
  const auth = await authService();
  const { check, time } = setUp(auth);
  await check.check();
  auth.state.up = false;
  time.advance(599_000);
  assertEquals(await check.check(), "1 key fetched 599 s ago");
  assertEquals(auth.state.fetches, 1);
});

Deno.test("JwksKeySet.readiness() fails once the keys are older than maxAgeMs and the JWKS is down, logging once each way", async () => {
  const auth = await authService();
  const { check, time, logged } = setUp(auth);
  await check.check();
  auth.state.up = false;
  time.advance(601_000);
  const err = await assertRejects(() => check.check(), Error);
  assertEquals(
    err.message,
    `Verification keys from ${URL_} are stale: last fetched 601 s ago, more than 600 s allowed (last error: TypeError: error sending request: Connection refused); tokens not verified before are refused`,
  );
  assertEquals(auth.state.fetches, 2);
  // Within the probe interval, /readyz reports the last state without asking the auth service.
  for (let i = 0; i < 10; i++) await assertRejects(() => check.check(), Error);
  assertEquals(auth.state.fetches, 2);
  assertEquals(logged.map((r) => r.event), ["jwks_stale"]);
  auth.state.up = true;
  time.advance(5_000);
  assertEquals(await check.check(), "1 key fetched 0 s ago");
  assertEquals(auth.state.fetches, 3);
  assertEquals(logged.map((r) => r.event), ["jwks_stale", "jwks_recovered"]);
});

Deno.test("JwksKeySet.readiness() shares one fetch among concurrent checks", async () => {
  const auth = await authService();
  const { check } = setUp(auth);
  const details = await Promise.all([check.check(), check.check(), check.check()]);
  assertEquals(details, [
    "1 key fetched 0 s ago",
    "1 key fetched 0 s ago",
    "1 key fetched 0 s ago",
  ]);
  assertEquals(auth.state.fetches, 1);
});

Deno.test("JwksKeySet.readiness() fails when the auth service was never reached", async () => {
  const auth = await authService();
  auth.state.up = false;
  const { check, logged } = setUp(auth);
  const err = await assertRejects(() => check.check(), Error);
  assertEquals(err.message.includes("are stale: never fetched"), true, err.message);
  assertEquals(logged.map((r) => r.event), ["jwks_stale"]);
});

Deno.test("JwksKeySet.key verifies tokens, and an unreachable JWKS is token_keys_unavailable", async () => {
  const auth = await authService();
  const { keys } = setUp(auth);
  const options = { key: keys.key, issuer: ISSUER, audience: "ccgate" };
  const claims = await verifyAccessToken(await auth.token(new Date()), options);
  assertEquals(claims.sub, "u1");

  const down = await authService();
  down.state.up = false;
  const { keys: unreachable } = setUp(down);
  const refused = await assertRejects(
    async () =>
      verifyAccessToken(await down.token(new Date()), { ...options, key: unreachable.key }),
    AccessTokenError,
  );
  assertEquals(refused.code, "token_keys_unavailable");
});

Deno.test("JwksKeySet.key keeps verifying with the keys held while the JWKS answers 502, once per retry interval, until the grace ends", async () => {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const state = { up: true, fetches: 0 };
  // The auth service over a real socket; down, a proxy's 502 page.
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    state.fetches++;
    return state.up
      ? Response.json({ keys: [jwk] })
      : new Response("<html>502 Bad Gateway</html>", { status: 502 });
  });
  const time = clock();
  const keys = new JwksKeySet({
    url: new URL(`http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`),
    now: time.now,
    log: () => {},
    maxAgeMs: 600_000,
    staleGraceMs: 3_600_000,
    retryAfterFailureMs: 5_000,
  });
  const iat = Math.floor(time.now().getTime() / 1000);
  const token = await new SignJWT({ sid: "s1", client_id: "c1", jti: "j1" })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" })
    .setIssuer(ISSUER).setAudience("ccgate").setSubject("u1")
    .setIssuedAt(iat).setExpirationTime(iat + 7_200).sign(privateKey);
  const verify = () =>
    verifyAccessToken(token, {
      key: keys.key,
      issuer: ISSUER,
      audience: "ccgate",
      currentDate: time.now(),
    }).then((c) => c.sub, (err: AccessTokenError) => err.code);
  assertEquals(await verify(), "u1");
  state.up = false;
  time.advance(11 * 60_000);
  for (let i = 0; i < 20; i++) assertEquals(await verify(), "u1");
  assertEquals(state.fetches, 2);
  time.advance(60 * 60_000); // 71 minutes: past the grace
  assertEquals(await verify(), "token_keys_unavailable");
  assertEquals(state.fetches, 3);
});
