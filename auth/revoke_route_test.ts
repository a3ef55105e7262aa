import { assert, assertEquals } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";

Deno.test("revokeRoute() revokes the session of an access token sent with token_type_hint=refresh_token", async () => {
  await using f = await startAuthFixture();
  const { access_token, refresh_token } = await f.signIn();
  const { sid } = await f.verify(access_token);
  const response = await f.post("/oauth/revoke", {
    token: access_token,
    token_type_hint: "refresh_token",
  });
  assertEquals(response.status, 200);
  assert(f.revocations.isRevoked(sid));
  assertEquals((await f.refresh(refresh_token)).body.error, "invalid_grant");
  assertEquals(f.logs.find((l) => l.event === "logout")?.sid, sid);
  await f.assertNoLeaks();
});

Deno.test("revokeRoute() revokes the session of a refresh token sent with token_type_hint=access_token", async () => {
  await using f = await startAuthFixture();
  const { access_token, refresh_token } = await f.signIn();
  const { sid } = await f.verify(access_token);
  const response = await f.post("/oauth/revoke", {
    token: refresh_token,
    token_type_hint: "access_token",
  });
  assertEquals(response.status, 200);
  assert(f.revocations.isRevoked(sid));
  assertEquals((await f.refresh(refresh_token)).body.error, "invalid_grant");
});

Deno.test("revokeRoute() answers 200 for an unknown token whatever the hint", async () => {
  await using f = await startAuthFixture();
  for (const hint of ["refresh_token", "access_token", "something_else"]) {
    const response = await f.post("/oauth/revoke", {
      token: "x".repeat(40),
      token_type_hint: hint,
    });
    assertEquals(response.status, 200, hint);
    assertEquals(await response.text(), "");
  }
  assertEquals(f.revocations.size, 0);
});
