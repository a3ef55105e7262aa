import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";
import type { AuthFixture } from "./_testing.ts";

/** Exchanges `token` and asserts a refusal with `error` and the logged `code`. */
async function assertRefused(
  f: AuthFixture,
  token: string,
  code: string,
  describes: string,
  error = "invalid_request",
): Promise<void> {
  f.secrets.add(token);
  const sessionsBefore = await _sessionCount(f);
  const { status, body } = await f.exchange(token);
  assertEquals(body.error, error);
  assertEquals(status, error === "invalid_request" ? 400 : status);
  assertStringIncludes(body.error_description!, describes);
  assertEquals(f.logs.at(-1)?.code, code);
  assertEquals(await _sessionCount(f), sessionsBefore);
  await f.assertNoLeaks();
}

async function _sessionCount(f: AuthFixture): Promise<number> {
  let n = 0;
  for await (const _ of f.kv.list({ prefix: ["sessions"] })) n++;
  return n;
}

Deno.test("createEntraTokenVerifier() accepts a v2 access token for our API and snapshots roles", async () => {
  await using f = await startAuthFixture();
  const { access_token } = await f.signIn({ user: { groups: ["g-1"] } });
  const claims = await f.verify(access_token);
  assertEquals(claims.sub, f.entra.devUser.oid);
  assertEquals(claims.tid, f.entra.tenantId);
  assertEquals(claims.client_id, f.entra.cliClientId);
  assertEquals(claims.roles, ["ccgate.user", "ccgate.admin"]);
  assertEquals(claims.groups, ["g-1"]);
  assertEquals(claims.email, f.entra.devUser.preferred_username);
  await f.assertNoLeaks();
});

Deno.test("createEntraTokenVerifier() rejects a v1 token", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({
    claims: { ver: "1.0", iss: `https://sts.windows.net/${f.entra.tenantId}/` },
  });
  await assertRefused(f, token, "entra_token_v1", '"ver" claim must be "2.0"');
});

Deno.test("createEntraTokenVerifier() rejects a Graph token (header nonce) before fetching any key", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({
    header: { nonce: "abc" },
    claims: { aud: "00000003-0000-0000-c000-000000000000" },
  });
  await assertRefused(f, token, "entra_token_graph", "Microsoft Graph token");
  assertEquals(f.entra.jwksFetches, 0);
});

Deno.test("createEntraTokenVerifier() rejects another tenant's token signed with a valid key", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({ tenantId: "99999999-9999-4999-8999-999999999999" });
  await assertRefused(f, token, "entra_token_tenant_not_allowed", "is not allowed");
  assertEquals(f.entra.jwksFetches, 0);
});

Deno.test("createEntraTokenVerifier() rejects an allowed tid under another issuer", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({
    claims: { iss: `${f.entra.url}/99999999-9999-4999-8999-999999999999/v2.0` },
  });
  await assertRefused(f, token, "entra_token_issuer", '"iss" claim must be');
});

Deno.test("createEntraTokenVerifier() rejects a wrong aud", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({ claims: { aud: "some-other-api" } });
  await assertRefused(f, token, "entra_token_audience", '"aud" claim must be');
});

Deno.test("createEntraTokenVerifier() rejects a token without our scope", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({ claims: { scp: "User.Read other_scope" } });
  await assertRefused(f, token, "entra_token_scope", '"scp" claim must include "access_as_user"');
});

Deno.test("createEntraTokenVerifier() rejects an azp that is not allowed", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({ claims: { azp: "not-our-cli" } });
  await assertRefused(f, token, "entra_token_client_not_allowed", '"azp" claim "not-our-cli"');
});

Deno.test("createEntraTokenVerifier() rejects an app-only token", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({
    claims: { idtyp: "app", scp: undefined, roles: ["Bedrock.Invoke"] },
  });
  await assertRefused(f, token, "entra_token_app_only", "App-only");
});

Deno.test("createEntraTokenVerifier() rejects an expired token", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken({ lifetimeSeconds: 3600 });
  f.clock.advance(3600_000 + 61_000);
  await assertRefused(f, token, "entra_token_expired", '"exp" claim timestamp check failed');
});

Deno.test("createEntraTokenVerifier() rejects a token whose nbf is in the future", async () => {
  await using f = await startAuthFixture();
  const later = new Date(f.clock.now().getTime() + 600_000);
  const token = await f.entra.mintAccessToken({ now: later });
  await assertRefused(f, token, "entra_token_not_yet_valid", '"nbf" claim timestamp check failed');
});

Deno.test("createEntraTokenVerifier() refetches the JWKS once for an unknown kid, then rejects", async () => {
  await using f = await startAuthFixture({ verifier: { cooldownMs: 0 } });
  await f.signIn(); // warms the key cache: one fetch
  assertEquals(f.entra.jwksFetches, 1);
  const token = await f.entra.mintAccessToken({ key: "unpublished" });
  await assertRefused(f, token, "entra_token_key_unknown", '"kid"');
  assertEquals(f.entra.jwksFetches, 2);
});

Deno.test("createEntraTokenVerifier() does not refetch the JWKS for unknown kids within the cooldown", async () => {
  await using f = await startAuthFixture();
  await f.signIn();
  const token = await f.entra.mintAccessToken({ key: "unpublished" });
  await assertRefused(f, token, "entra_token_key_unknown", '"kid"');
  await assertRefused(f, token, "entra_token_key_unknown", '"kid"');
  assertEquals(f.entra.jwksFetches, 1);
});

Deno.test("createEntraTokenVerifier() picks up a rotated Entra key by refetching", async () => {
  await using f = await startAuthFixture({ verifier: { cooldownMs: 0 } });
  await f.signIn();
  await f.entra.rotateKey();
  await f.signIn();
  assertEquals(f.entra.jwksFetches, 2);
});

Deno.test("createEntraTokenVerifier() rejects an ID token instead of an access token", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintIdToken({ nonce: "n-1" });
  await assertRefused(f, token, "entra_token_id_token", "An ID token cannot be exchanged");
});

Deno.test("createEntraTokenVerifier() rejects a user missing a required app role", async () => {
  await using f = await startAuthFixture({
    env: { ENTRA_REQUIRED_ROLES: "ccgate.user,bedrock.users" },
  });
  const token = await f.entra.mintAccessToken();
  await assertRefused(f, token, "entra_token_role_missing", '"bedrock.users"');
});

Deno.test("createEntraTokenVerifier() treats groups overage as not a match, and says so", async () => {
  await using f = await startAuthFixture({ env: { ENTRA_REQUIRED_GROUPS: "group-a" } });
  const token = await f.entra.mintAccessToken({
    claims: {
      groups: undefined,
      _claim_names: { groups: "src1" },
      _claim_sources: {
        src1: { endpoint: "https://graph.windows.net/t/users/u/getMemberObjects" },
      },
    },
  });
  await assertRefused(f, token, "entra_token_groups_overage", "groups overage");
});

Deno.test("createEntraTokenVerifier() accepts a user in one of the required groups", async () => {
  await using f = await startAuthFixture({ env: { ENTRA_REQUIRED_GROUPS: "group-a,group-b" } });
  const { access_token } = await f.signIn({ user: { groups: ["group-b", "group-z"] } });
  assertEquals((await f.verify(access_token)).groups, ["group-b", "group-z"]);
});

Deno.test("createEntraTokenVerifier() rejects a user in none of the required groups", async () => {
  await using f = await startAuthFixture({ env: { ENTRA_REQUIRED_GROUPS: "group-a" } });
  const token = await f.entra.mintAccessToken({ user: { groups: ["group-z"] } });
  await assertRefused(f, token, "entra_token_group_missing", "none of the required groups");
});

Deno.test("createEntraTokenVerifier() rejects a forged signature", async () => {
  await using f = await startAuthFixture();
  const token = await f.entra.mintAccessToken();
  const [h, p] = token.split(".");
  const other = (await f.entra.mintAccessToken({ claims: { name: "Mallory" } })).split(".")[2];
  await assertRefused(f, `${h}.${p}.${other}`, "entra_token_signature", "signature");
});

Deno.test("createEntraTokenVerifier() rejects a non-JWT subject_token", async () => {
  await using f = await startAuthFixture();
  const { status, body } = await f.exchange("not-a-jwt-at-all-just-text-here");
  assertEquals(status, 400);
  assertEquals(body.error, "invalid_request");
  assert(!JSON.stringify(body).includes("not-a-jwt"));
});

Deno.test("createEntraTokenVerifier() rejects an oid longer than 256 characters", async () => {
  await using f = await startAuthFixture();
  for (const length of [257, 5000]) {
    const token = await f.entra.mintAccessToken({ user: { oid: "a".repeat(length) } });
    await assertRefused(f, token, "entra_token_claim_invalid", '"oid" claim');
  }
  const longest = await f.entra.mintAccessToken({ user: { oid: "a".repeat(256) } });
  f.secrets.add(longest);
  assertEquals((await f.exchange(longest)).status, 200);
});
