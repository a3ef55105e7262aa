import { assertEquals } from "../testing/assert.ts";
import { type AuthFixture, startAuthFixture } from "./_testing.ts";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";

/** POSTs a form to the app as if from socket peer `peer` with the given headers. */
async function postFrom(
  f: AuthFixture,
  peer: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, string> }> {
  for (const [name, value] of Object.entries(form)) {
    if (/token/.test(name) && value.length > 20) f.secrets.add(value);
  }
  const response = await f.app.request(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    },
    { remoteAddr: { transport: "tcp", hostname: peer, port: 40_000 } },
  );
  const text = await response.text();
  if (response.status >= 400) f.errorBodies.push(text);
  const body = text === "" ? {} : JSON.parse(text) as Record<string, string>;
  for (const name of ["access_token", "refresh_token"]) {
    if (typeof body[name] === "string") f.secrets.add(body[name]);
  }
  return { status: response.status, body };
}

async function signInFrom(
  f: AuthFixture,
  peer: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, string> }> {
  const token = await f.entra.mintAccessToken({ user: { oid: crypto.randomUUID() } });
  return await postFrom(f, peer, "/oauth/token", {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: token,
    subject_token_type: ACCESS_TOKEN_TYPE,
  }, headers);
}

const PROXY = "10.0.0.2";

Deno.test("createApp() gives two clients behind one trusted proxy separate per-address buckets", async () => {
  await using f = await startAuthFixture({
    env: { CCGATE_TOKEN_RATE_PER_IP: "2", CCGATE_TRUSTED_PROXIES: "10.0.0.0/8" },
  });
  const alice = { "x-forwarded-for": "198.51.100.1" };
  const bob = { "x-forwarded-for": "198.51.100.2" };
  assertEquals((await signInFrom(f, PROXY, alice)).status, 200);
  assertEquals((await signInFrom(f, PROXY, alice)).status, 200);
  assertEquals((await signInFrom(f, PROXY, alice)).status, 429, "alice's own bucket is spent");
  assertEquals((await signInFrom(f, PROXY, bob)).status, 200, "bob has a bucket of his own");
  // A client-written left-most entry does not move alice into a fresh bucket.
  const spoofing = { "x-forwarded-for": "203.0.113.99, 198.51.100.1" };
  assertEquals((await signInFrom(f, PROXY, spoofing)).status, 429);
  // Revocation has its own per-address bucket, keyed the same way.
  const revokes = [];
  for (let i = 0; i < 3; i++) {
    revokes.push((await postFrom(f, PROXY, "/oauth/revoke", { token: "x" }, alice)).status);
  }
  assertEquals(revokes, [200, 200, 429]);
  assertEquals((await postFrom(f, PROXY, "/oauth/revoke", { token: "x" }, bob)).status, 200);
  const limited = f.logs.filter((r) => r.event === "rate_limited");
  assertEquals(limited.map((r) => [r.bucket, r.key]), [
    ["token_per_address", "198.51.100.1"],
    ["revoke_per_address", "198.51.100.1"],
  ]);
  await f.assertNoLeaks();
});

Deno.test("createApp() ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
  await using f = await startAuthFixture({
    env: { CCGATE_TOKEN_RATE_PER_IP: "2", CCGATE_TRUSTED_PROXIES: "10.0.0.0/8" },
  });
  const statuses = [];
  for (let i = 1; i <= 3; i++) {
    const headers = { "x-forwarded-for": `198.51.100.${i}` };
    statuses.push((await signInFrom(f, "203.0.113.5", headers)).status);
  }
  assertEquals(statuses, [200, 200, 429]);
});

Deno.test("createApp() trusts nothing by default: X-Forwarded-For is ignored", async () => {
  await using f = await startAuthFixture({ env: { CCGATE_TOKEN_RATE_PER_IP: "2" } });
  const statuses = [];
  for (let i = 1; i <= 3; i++) {
    const headers = { "x-forwarded-for": `198.51.100.${i}` };
    statuses.push((await signInFrom(f, PROXY, headers)).status);
  }
  assertEquals(statuses, [200, 200, 429]);
});

Deno.test("createApp() keeps valid refreshes and sign-ins working while the same address sends junk refresh tokens", async () => {
  await using f = await startAuthFixture();
  const { body: session } = await signInFrom(f, PROXY);
  const junk: number[] = [];
  for (let i = 0; i < 65; i++) {
    const form = { grant_type: "refresh_token", refresh_token: "bogus" };
    junk.push((await postFrom(f, PROXY, "/oauth/token", form)).status);
  }
  assertEquals(junk.slice(0, 20), new Array(20).fill(400));
  assertEquals(junk.slice(20), new Array(45).fill(429), "junk is held back on its own bucket");
  const refreshed = await postFrom(f, PROXY, "/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: session.refresh_token!,
  });
  assertEquals(refreshed.status, 200, "a valid refresh from the same address still works");
  assertEquals((await signInFrom(f, PROXY)).status, 200, "so does a sign-in");
  const missing = await postFrom(f, PROXY, "/oauth/token", { grant_type: "refresh_token" });
  assertEquals(missing.status, 429, "a refresh without a token is a failure too");
  const limited = f.logs.filter((r) => r.event === "rate_limited");
  assertEquals(limited.map((r) => [r.bucket, r.key]), [["failed_refresh_per_address", PROXY]]);
  await f.assertNoLeaks();
});

Deno.test("createApp() lets more valid refreshes than CCGATE_TOKEN_RATE_PER_IP through from one address in a minute", async () => {
  await using f = await startAuthFixture({
    env: { CCGATE_TOKEN_RATE_PER_IP: "5", CCGATE_TRUSTED_PROXIES: "10.0.0.0/8" },
  });
  // Eight developers sign in from their own addresses, then all refresh at
  // 9 am from one office NAT address: the address limit (5) is not theirs to share.
  const refreshTokens: string[] = [];
  for (let i = 1; i <= 8; i++) {
    const { status, body } = await signInFrom(f, PROXY, { "x-forwarded-for": `198.51.100.${i}` });
    assertEquals(status, 200);
    refreshTokens.push(body.refresh_token!);
  }
  const statuses = [];
  for (const refresh_token of refreshTokens) {
    const form = { grant_type: "refresh_token", refresh_token };
    statuses.push((await postFrom(f, "192.0.2.50", "/oauth/token", form)).status);
  }
  assertEquals(statuses, new Array(8).fill(200));
});
