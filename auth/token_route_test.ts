import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
} from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";
import { RevocationList, type RevocationTimers } from "./revocation_list.ts";

/** Timers fired by hand: `tick()` runs every interval callback once. */
function manualTimers(): RevocationTimers & { tick(): void } {
  const callbacks = new Map<number, () => void>();
  let next = 0;
  return {
    setInterval(fn) {
      callbacks.set(++next, fn);
      return next;
    },
    clearInterval(id) {
      callbacks.delete(id);
    },
    tick() {
      for (const fn of callbacks.values()) fn();
    },
  };
}

Deno.test("tokenRoute() exchanges an Entra token for a session in RFC 8693 shape", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken();
  f.secrets.add(token);
  const response = await f.post("/oauth/token", {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: token,
    subject_token_type: ACCESS_TOKEN_TYPE,
    audience: "ccgate",
    client_id: f.entra.cliClientId,
  });
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("cache-control"), "no-store");
  const body = await response.json();
  assertEquals(body.issued_token_type, ACCESS_TOKEN_TYPE);
  assertEquals(body.token_type, "Bearer");
  assertEquals(body.expires_in, 3600);
  assertEquals(body.refresh_token_expires_in, 7 * 86_400);
  assertMatch(body.refresh_token, /^ccgr_[A-Za-z0-9_-]{43}$/);
  const claims = await f.verify(body.access_token);
  assertEquals(claims.iss, "http://ccgate.test");
  assertEquals(claims.aud, "ccgate");
  const session = await f.kv.get<{ refreshHash: string }>(["sessions", claims.sid]);
  assert(session.value !== null);
  assertEquals(f.logs.at(-1)?.event, "token_exchange");
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() honours CCGATE_ACCESS_TTL", async () => {
  await using f = await startAuthFixture({ env: { CCGATE_ACCESS_TTL: "10m" } });
  const { access_token, expires_in } = await f.signIn();
  assertEquals(expires_in, 600);
  const claims = await f.verify(access_token);
  assertEquals(claims.exp - claims.iat, 600);
});

Deno.test("tokenRoute() rotates the refresh token on every use", async () => {
  await using f = await startAuthFixture();
  const first = await f.signIn();
  const second = await f.refresh(first.refresh_token);
  assertEquals(second.status, 200);
  assertNotEquals(second.body.refresh_token, first.refresh_token);
  assertEquals(second.body.issued_token_type, undefined);
  f.clock.advance(3_600_000);
  const third = await f.refresh(second.body.refresh_token!);
  assertEquals(third.status, 200);
  assertNotEquals(third.body.refresh_token, second.body.refresh_token);
  const sids = await Promise.all(
    [first.access_token, second.body.access_token!, third.body.access_token!].map(async (t) =>
      (await f.verify(t).catch(() => undefined))?.sid
    ),
  );
  // The first token expired an hour later; the others belong to the same session.
  assertEquals(sids[1], sids[2]);
  assertEquals(f.logs.filter((l) => l.event === "refresh").length, 2);
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() gives 20 concurrent refreshes with one token one successor and working tokens", async () => {
  await using f = await startAuthFixture();
  const { refresh_token, access_token } = await f.signIn();
  const sid = (await f.verify(access_token)).sid;
  const results = await Promise.all(Array.from({ length: 20 }, () => f.refresh(refresh_token)));
  assertEquals(results.map((r) => r.status), Array(20).fill(200));
  const successors = new Set(results.map((r) => r.body.refresh_token));
  assertEquals(successors.size, 1);
  const claims = await Promise.all(results.map((r) => f.verify(r.body.access_token!)));
  assert(claims.every((c) => c.sid === sid));
  assertEquals(new Set(claims.map((c) => c.jti)).size, 20);
  assertEquals(f.logs.filter((l) => l.event === "refresh").length, 1);
  assertEquals(f.logs.filter((l) => l.event === "refresh_grace_replay").length, 19);
  const session = await f.kv.get<{ generation: number }>(["sessions", sid]);
  assertEquals(session.value?.generation, 1);
  let active = 0;
  for await (const entry of f.kv.list<{ state: string; sid: string }>({ prefix: ["refresh"] })) {
    if (entry.value.sid === sid && entry.value.state === "active") active++;
  }
  assertEquals(active, 1);
  const next = await f.refresh([...successors][0]!);
  assertEquals(next.status, 200);
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() returns the same successor to a replay inside the grace window", async () => {
  await using f = await startAuthFixture();
  const { refresh_token } = await f.signIn();
  const a = await f.refresh(refresh_token);
  f.clock.advance(29_000);
  const b = await f.refresh(refresh_token);
  assertEquals(b.status, 200);
  assertEquals(b.body.refresh_token, a.body.refresh_token);
  assertEquals(f.logs.at(-1)?.event, "refresh_grace_replay");
});

Deno.test("tokenRoute() revokes the session on a replay outside the grace window; the gateway follows within 5 s", async () => {
  await using f = await startAuthFixture();
  const timers = manualTimers();
  // A gateway instance elsewhere: same KV, its own memory, refreshed by its own timer.
  using gateway = new RevocationList({ kv: f.kv, now: f.clock.now, timers }).start();
  await gateway.refresh();
  assertEquals(gateway.refreshIntervalMs, 5_000);
  const { refresh_token, access_token } = await f.signIn();
  const { sid } = await f.verify(access_token);
  const rotated = await f.refresh(refresh_token);
  f.clock.advance(31_000);
  const replay = await f.refresh(refresh_token);
  assertEquals(replay.status, 400);
  assertEquals(replay.body.error, "invalid_grant");
  assertStringIncludes(replay.body.error_description!, "already used");
  const warning = f.logs.find((l) => l.event === "refresh_token_reuse");
  assertEquals(warning?.sid, sid);
  assertEquals(warning?.level, "warn");
  // The legitimate successor is dead too: the whole session is revoked.
  const successor = await f.refresh(rotated.body.refresh_token!);
  assertEquals(successor.body.error, "invalid_grant");
  assertStringIncludes(successor.body.error_description!, "revoked");
  // In-process list: at once. The other instance: not before its next tick, surely after it.
  assert(f.revocations.isRevoked(sid));
  assertEquals(gateway.isRevoked(sid), false);
  f.clock.advance(gateway.refreshIntervalMs);
  timers.tick();
  await gateway.refresh();
  assert(gateway.isRevoked(sid));
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() refuses a refresh after logout with invalid_grant", async () => {
  await using f = await startAuthFixture();
  const { refresh_token, access_token } = await f.signIn();
  const revoke = await f.post("/oauth/revoke", { token: refresh_token });
  assertEquals(revoke.status, 200);
  const { status, body } = await f.refresh(refresh_token);
  assertEquals(status, 400);
  assertEquals(body.error, "invalid_grant");
  assert(f.revocations.isRevoked((await f.verify(access_token)).sid));
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() refuses a refresh after logout with the access token", async () => {
  await using f = await startAuthFixture();
  const { refresh_token, access_token } = await f.signIn();
  const revoke = await f.post("/oauth/revoke", {
    token: access_token,
    token_type_hint: "access_token",
  });
  assertEquals(revoke.status, 200);
  const { body } = await f.refresh(refresh_token);
  assertEquals(body.error, "invalid_grant");
  assertEquals(f.logs.find((l) => l.event === "logout")?.sid, (await f.verify(access_token)).sid);
});

Deno.test("tokenRoute() refuses a refresh after the session's absolute expiry", async () => {
  await using f = await startAuthFixture({ env: { CCGATE_SESSION_TTL: "2h" } });
  const { refresh_token } = await f.signIn();
  f.clock.advance(90 * 60_000);
  const ok = await f.refresh(refresh_token);
  assertEquals(ok.status, 200);
  // The access token never outlives the session.
  assertEquals(ok.body.expires_in as unknown as number, 30 * 60);
  f.clock.advance(30 * 60_000);
  const { status, body } = await f.refresh(ok.body.refresh_token!);
  assertEquals(status, 400);
  assertEquals(body.error, "invalid_grant");
  assertStringIncludes(body.error_description!, "expired");
});

Deno.test("tokenRoute() refuses an access token swapped in as refresh token", async () => {
  await using f = await startAuthFixture();
  const { access_token } = await f.signIn();
  const { status, body } = await f.refresh(access_token);
  assertEquals(status, 400);
  assertEquals(body.error, "invalid_grant");
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() answers RFC 6749 errors for malformed requests", async () => {
  await using f = await startAuthFixture();
  const cases: [Record<string, string>, string][] = [
    [{}, "invalid_request"],
    [{ grant_type: "password", username: "u", password: "p" }, "unsupported_grant_type"],
    [{ grant_type: "refresh_token" }, "invalid_request"],
    [{ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: "x".repeat(30) }, "invalid_request"],
    [{
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: "x".repeat(30),
      subject_token_type: "urn:ietf:params:oauth:token-type:saml2",
    }, "invalid_request"],
    [{
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: "x".repeat(30),
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: "someone-else",
    }, "invalid_target"],
  ];
  for (const [form, error] of cases) {
    const response = await f.post("/oauth/token", form);
    assertEquals((await response.json()).error, error, JSON.stringify(form));
  }
  const repeated = await f.app.request("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=refresh_token&grant_type=refresh_token",
  });
  assertStringIncludes((await repeated.json()).error_description, "repeated");
  const json = await f.app.request("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assertEquals(json.status, 400);
  assertEquals((await json.json()).error, "invalid_request");
});

Deno.test("tokenRoute() answers invalid_client when client_id is not the token's azp", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken();
  f.secrets.add(token);
  const { status, body } = await f.exchange(token, { client_id: "someone-else" });
  assertEquals(status, 401);
  assertEquals(body.error, "invalid_client");
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() limits requests per client address", async () => {
  await using f = await startAuthFixture({ env: { CCGATE_TOKEN_RATE_PER_IP: "2" } });
  await f.signIn();
  await f.signIn();
  const token = await f.entra.mintAccessToken();
  f.secrets.add(token);
  const response = await f.post("/oauth/token", {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: token,
    subject_token_type: ACCESS_TOKEN_TYPE,
  });
  assertEquals(response.status, 429);
  assertEquals(response.headers.get("retry-after"), "30");
  assertEquals((await response.json()).error, "temporarily_unavailable");
  f.clock.advance(30_000);
  await f.signIn();
});

Deno.test("tokenRoute() limits requests per user before rotating anything", async () => {
  await using f = await startAuthFixture({ env: { CCGATE_TOKEN_RATE_PER_USER: "2" } });
  const { refresh_token } = await f.signIn();
  const ok = await f.refresh(refresh_token);
  assertEquals(ok.status, 200);
  const limited = await f.refresh(ok.body.refresh_token!);
  assertEquals(limited.status, 429);
  f.clock.advance(60_000);
  // Nothing was rotated by the refused call: the same token still works.
  const later = await f.refresh(ok.body.refresh_token!);
  assertEquals(later.status, 200);
});

Deno.test("tokenRoute() refuses a refresh for another client_id without using up the token", async () => {
  await using f = await startAuthFixture();
  const { refresh_token } = await f.signIn();
  const refused = await f.post("/oauth/token", {
    grant_type: "refresh_token",
    refresh_token,
    client_id: "someone-else",
  });
  assertEquals(refused.status, 400);
  const body = await refused.json();
  assertEquals(body.error, "invalid_grant");
  assertStringIncludes(body.error_description, "another client");
  // Well past the grace window: the token was never rotated, so its holder still refreshes.
  f.clock.advance(120_000);
  const legit = await f.refresh(refresh_token);
  assertEquals(legit.status, 200);
  const withClient = await f.post("/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: legit.body.refresh_token!,
    client_id: f.entra.cliClientId,
  });
  assertEquals(withClient.status, 200);
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() answers a grace replay of a token two rotations old with the current refresh token", async () => {
  await using f = await startAuthFixture();
  const rt0 = (await f.signIn()).refresh_token;
  f.clock.advance(1_000);
  const rt1 = (await f.refresh(rt0)).body.refresh_token!;
  f.clock.advance(1_000);
  const rt2 = (await f.refresh(rt1)).body.refresh_token!;
  f.clock.advance(1_000);
  // A second process still holding rt0, inside rt0's grace window.
  const replay = await f.refresh(rt0);
  assertEquals(replay.status, 200);
  assertEquals(replay.body.refresh_token, rt2);
  assertEquals(f.logs.at(-1)?.event, "refresh_grace_replay");
  // Long after every grace window, what the replay got still works: the session lives on.
  f.clock.advance(3_600_000);
  const next = await f.refresh(replay.body.refresh_token!);
  assertEquals(next.status, 200);
  await f.assertNoLeaks();
});

Deno.test("tokenRoute() still revokes on reuse outside the grace window whatever client_id is named", async () => {
  await using f = await startAuthFixture();
  const { refresh_token, access_token } = await f.signIn();
  const { sid } = await f.verify(access_token);
  await f.refresh(refresh_token);
  f.clock.advance(31_000);
  const reuse = await f.post("/oauth/token", {
    grant_type: "refresh_token",
    refresh_token,
    client_id: "someone-else",
  });
  assertStringIncludes((await reuse.json()).error_description, "already used");
  assert(f.revocations.isRevoked(sid));
});
