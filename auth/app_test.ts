import { Hono } from "hono";
import { assert, assertEquals } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";

Deno.test("createApp() publishes RFC 8414 metadata", async () => {
  await using f = await startAuthFixture();
  const response = await f.app.request("/.well-known/oauth-authorization-server");
  const metadata = await response.json();
  assertEquals(metadata.issuer, "http://ccgate.test");
  assertEquals(metadata.token_endpoint, "http://ccgate.test/oauth/token");
  assertEquals(metadata.revocation_endpoint, "http://ccgate.test/oauth/revoke");
  assertEquals(metadata.jwks_uri, "http://ccgate.test/.well-known/jwks.json");
  assertEquals(metadata.grant_types_supported, [
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "refresh_token",
  ]);
  assertEquals(metadata.ccgate_entra.tenant_id, f.entra.tenantId);
  assertEquals(metadata.ccgate_entra.client_id, f.entra.cliClientId);
  assertEquals(metadata.ccgate_entra.scope, `${f.entra.scope} offline_access`);
});

Deno.test("createApp() publishes the gateway's URL when CCGATE_GATEWAY_URL is set, and none otherwise", async () => {
  {
    await using f = await startAuthFixture();
    const metadata = await (await f.app.request("/.well-known/oauth-authorization-server")).json();
    assertEquals("ccgate_gateway_url" in metadata, false);
  }
  await using f = await startAuthFixture({
    env: { CCGATE_GATEWAY_URL: "https://gateway.example.com/" },
  });
  const metadata = await (await f.app.request("/.well-known/oauth-authorization-server")).json();
  assertEquals(metadata.ccgate_gateway_url, "https://gateway.example.com");
  assertEquals(metadata.issuer, "http://ccgate.test");
});

Deno.test("createApp() publishes the JWKS a remote verifier can use", async () => {
  await using f = await startAuthFixture();
  const { access_token } = await f.signIn();
  const jwks = await (await f.app.request("/.well-known/jwks.json")).json();
  assertEquals(jwks.keys.length, 2);
  assert(jwks.keys.every((k: Record<string, unknown>) => k.d === undefined));
  await f.keys.rotate();
  const rotated = await (await f.app.request("/.well-known/jwks.json")).json();
  assertEquals(rotated.keys.length, 3);
  assert(rotated.keys.some((k: { kid: string }) => k.kid === jwks.keys[0].kid));
  assertEquals((await f.verify(access_token)).sub, f.entra.devUser.oid);
});

Deno.test("createApp() mounts at / next to other routes without touching them", async () => {
  await using f = await startAuthFixture();
  const root = new Hono();
  root.get("/healthz", (c) => c.text("ok"));
  root.post("/v1/messages", () => {
    throw new Error("gateway error");
  });
  root.route("/", f.app);
  root.onError((_err, c) => c.text("gateway handler", 500));
  assertEquals(await (await root.request("/healthz")).text(), "ok");
  assertEquals(
    await (await root.request("/v1/messages", { method: "POST" })).text(),
    "gateway handler",
  );
  const token = await root.request("/oauth/token", { method: "POST" });
  assertEquals((await token.json()).error, "invalid_request");
  assertEquals((await root.request("/.well-known/jwks.json")).status, 200);
});

Deno.test("revokeRoute() answers 200 for unknown tokens and 400 without a token", async () => {
  await using f = await startAuthFixture();
  assertEquals(
    (await f.post("/oauth/revoke", { token: "ccgr_unknown_token_value_here" })).status,
    200,
  );
  assertEquals((await f.post("/oauth/revoke", { token: "eyJ.not.valid" })).status, 200);
  const missing = await f.post("/oauth/revoke", {});
  assertEquals(missing.status, 400);
  assertEquals((await missing.json()).error, "invalid_request");
});

Deno.test("createApp() refuses bodies above 64 KiB", async () => {
  await using f = await startAuthFixture();
  const response = await f.app.request("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=refresh_token&refresh_token=" + "a".repeat(70_000),
  });
  assertEquals(response.status, 400);
  assertEquals((await response.json()).error, "invalid_request");
});

Deno.test("createApp() counts sign-ins and sign-outs apart: an address held back from one can do the other", async () => {
  await using f = await startAuthFixture({ env: { CCGATE_TOKEN_RATE_PER_IP: "2" } });
  const { refresh_token } = await f.signIn();
  await f.signIn();
  const held = await f.exchange(await f.entra.mintAccessToken());
  assertEquals(held.status, 429);
  const revoked = await f.post("/oauth/revoke", { token: refresh_token });
  assertEquals(revoked.status, 200);
  f.clock.advance(60_000);
  assertEquals((await f.refresh(refresh_token)).status, 400, "the session is revoked");
});
