import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../testing/assert.ts";
import { startEntraEmulator } from "./start_entra_emulator.ts";

function clock(start = Date.parse("2026-03-02T09:00:00Z")) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

async function post(url: string, form: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("startEntraEmulator() serves OpenID discovery and a JWKS that verifies its tokens", async () => {
  await using entra = await startEntraEmulator({ log: () => {} });
  const discovery = await (await fetch(
    `${entra.url}/${entra.tenantId}/v2.0/.well-known/openid-configuration`,
  )).json();
  assertEquals(discovery.issuer, `${entra.url}/${entra.tenantId}/v2.0`);
  assertEquals(discovery.jwks_uri, `${entra.url}/${entra.tenantId}/discovery/v2.0/keys`);
  assertEquals(
    discovery.device_authorization_endpoint,
    `${entra.url}/${entra.tenantId}/oauth2/v2.0/devicecode`,
  );
  const token = await entra.mintAccessToken();
  const header = decodeProtectedHeader(token);
  assertEquals([header.typ, header.alg], ["JWT", "RS256"]);
  assertMatch(header.kid!, /^[A-Za-z0-9_-]{27}$/);
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
    issuer: entra.issuer,
    audience: entra.apiClientId,
  });
  assertEquals(payload.ver, "2.0");
  assertEquals(payload.tid, entra.tenantId);
  assertEquals(payload.oid, entra.devUser.oid);
  assertEquals(payload.azp, entra.cliClientId);
  assertEquals(payload.scp, "access_as_user");
  assertEquals(payload.roles, ["ccgate.user", "ccgate.admin"]);
  assertMatch(payload.sub as string, /^[A-Za-z0-9_-]{43}$/);
  const unknownTenant = await fetch(`${entra.url}/nope/v2.0/.well-known/openid-configuration`);
  assertEquals(unknownTenant.status, 400);
  assertStringIncludes((await unknownTenant.json()).error_description, "AADSTS90002");
});

Deno.test("startEntraEmulator() device code: pending, slow_down, approved, then redeemed once", async () => {
  const c = clock();
  await using entra = await startEntraEmulator({ autoApprove: false, now: c.now, log: () => {} });
  const base = `${entra.url}/${entra.tenantId}/oauth2/v2.0`;
  const start = await post(`${base}/devicecode`, {
    client_id: entra.cliClientId,
    scope: `${entra.scope} offline_access openid profile`,
  });
  assertEquals(start.status, 200);
  assertEquals(start.body.interval, 5);
  assertEquals(start.body.expires_in, 900);
  assertStringIncludes(start.body.message, start.body.user_code);
  const poll = () =>
    post(`${base}/token`, {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      client_id: entra.cliClientId,
      device_code: start.body.device_code,
    });
  c.advance(5_000);
  const pending = await poll();
  assertEquals([pending.status, pending.body.error], [400, "authorization_pending"]);
  assertStringIncludes(pending.body.error_description, "AADSTS70016");
  assertEquals(pending.body.error_codes, [70016]);
  c.advance(1_000);
  assertEquals((await poll()).body.error, "slow_down");
  assert(entra.approve(start.body.user_code));
  c.advance(10_000);
  const done = await poll();
  assertEquals(done.status, 200);
  assertEquals(done.body.token_type, "Bearer");
  assertEquals(done.body.scope, entra.scope);
  assert(typeof done.body.refresh_token === "string");
  assertEquals(decodeJwt(done.body.id_token).aud, entra.cliClientId);
  assertEquals(decodeJwt(done.body.access_token).aud, entra.apiClientId);
  c.advance(10_000);
  assertEquals((await poll()).body.error, "bad_verification_code");
  // Refresh token grant.
  const refreshed = await post(`${base}/token`, {
    grant_type: "refresh_token",
    client_id: entra.cliClientId,
    refresh_token: done.body.refresh_token,
  });
  assertEquals(refreshed.status, 200);
  assertEquals(decodeJwt(refreshed.body.access_token).scp, "access_as_user");
});

Deno.test("startEntraEmulator() device code: declined and expired", async () => {
  const c = clock();
  await using entra = await startEntraEmulator({ autoApprove: false, now: c.now, log: () => {} });
  const base = `${entra.url}/${entra.tenantId}/oauth2/v2.0`;
  const start = () =>
    post(`${base}/devicecode`, { client_id: entra.cliClientId, scope: entra.scope });
  const poll = (deviceCode: string) =>
    post(`${base}/token`, {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      client_id: entra.cliClientId,
      device_code: deviceCode,
    });
  const declined = (await start()).body;
  assert(entra.decline(declined.user_code));
  c.advance(5_000);
  assertEquals((await poll(declined.device_code)).body.error, "authorization_declined");
  const expired = (await start()).body;
  c.advance(900_000);
  const answer = await poll(expired.device_code);
  assertEquals(answer.body.error, "expired_token");
  assertStringIncludes(answer.body.error_description, "AADSTS70019");
});

Deno.test("startEntraEmulator() auto-approves device codes as the dev user and says so once", async () => {
  const c = clock();
  const lines: string[] = [];
  await using entra = await startEntraEmulator({ now: c.now, log: (l) => lines.push(l) });
  const base = `${entra.url}/${entra.tenantId}/oauth2/v2.0`;
  for (let i = 0; i < 2; i++) {
    const start = await post(`${base}/devicecode`, {
      client_id: entra.cliClientId,
      scope: entra.scope,
    });
    c.advance(5_000);
    const done = await post(`${base}/token`, {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      client_id: entra.cliClientId,
      device_code: start.body.device_code,
    });
    assertEquals(decodeJwt(done.body.access_token).oid, entra.devUser.oid);
  }
  assertEquals(lines.length, 1);
  assertStringIncludes(lines[0]!, "approved automatically");
});

Deno.test("startEntraEmulator() authorization code with PKCE S256 on a loopback redirect", async () => {
  await using entra = await startEntraEmulator({ log: () => {} });
  const base = `${entra.url}/${entra.tenantId}/oauth2/v2.0`;
  const verifier = "v".repeat(50);
  const challenge = btoa(String.fromCharCode(
    ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  )).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const redirectUri = "http://127.0.0.1:53682/callback";
  const authorize = new URL(`${base}/authorize`);
  for (
    const [k, v] of Object.entries({
      client_id: entra.cliClientId,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: `${entra.scope} offline_access`,
      state: "st-1",
      code_challenge: challenge,
      code_challenge_method: "S256",
    })
  ) authorize.searchParams.set(k, v);
  const redirect = await fetch(authorize, { redirect: "manual" });
  assertEquals(redirect.status, 302);
  const location = new URL(redirect.headers.get("location")!);
  assertEquals(location.origin + location.pathname, redirectUri);
  assertEquals(location.searchParams.get("state"), "st-1");
  const code = location.searchParams.get("code")!;
  const form = {
    grant_type: "authorization_code",
    client_id: entra.cliClientId,
    code,
    redirect_uri: redirectUri,
  };
  const wrong = await post(`${base}/token`, { ...form, code_verifier: "w".repeat(50) });
  assertStringIncludes(wrong.body.error_description, "AADSTS50148");
  // The code was spent by the failed attempt, as Entra does: get a fresh one.
  const again = await fetch(authorize, { redirect: "manual" });
  const code2 = new URL(again.headers.get("location")!).searchParams.get("code")!;
  const ok = await post(`${base}/token`, { ...form, code: code2, code_verifier: verifier });
  assertEquals(ok.status, 200);
  assertEquals(decodeJwt(ok.body.access_token).aud, entra.apiClientId);
  authorize.searchParams.set("redirect_uri", "https://evil.example.com/cb");
  const refused = await fetch(authorize, { redirect: "manual" });
  assertEquals(refused.status, 400);
  await refused.body?.cancel();
});

Deno.test("startEntraEmulator() issues Graph tokens with a header nonce for Graph scopes", async () => {
  const c = clock();
  await using entra = await startEntraEmulator({ now: c.now, log: () => {} });
  const base = `${entra.url}/${entra.tenantId}/oauth2/v2.0`;
  const start = await post(`${base}/devicecode`, {
    client_id: entra.cliClientId,
    scope: "openid profile",
  });
  c.advance(5_000);
  const done = await post(`${base}/token`, {
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    client_id: entra.cliClientId,
    device_code: start.body.device_code,
  });
  assert("nonce" in decodeProtectedHeader(done.body.access_token));
  assertEquals(decodeJwt(done.body.access_token).aud, "00000003-0000-0000-c000-000000000000");
});

Deno.test("startEntraEmulator() refuses unknown clients like Entra", async () => {
  await using entra = await startEntraEmulator({ log: () => {} });
  const answer = await post(`${entra.url}/${entra.tenantId}/oauth2/v2.0/devicecode`, {
    client_id: "unknown",
    scope: entra.scope,
  });
  assertEquals(answer.body.error, "unauthorized_client");
  assertStringIncludes(answer.body.error_description, "AADSTS700016");
});
