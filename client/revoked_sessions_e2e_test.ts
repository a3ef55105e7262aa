/**
 * An integrator's service against the real auth service over a real socket:
 * it finds the revocation feed from the issuer URL, verifies a token with
 * `isRevoked`, and refuses it after the user signs out and one refresh.
 */
import { startAuthStack } from "../testing/auth_stack.ts";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { discover } from "./discover.ts";
import { AccessTokenError } from "./errors.ts";
import { exchangeToken } from "./exchange_token.ts";
import { revoke } from "./revoke.ts";
import { RevokedSessions } from "./revoked_sessions.ts";
import { verifyAccessToken } from "./verify_access_token.ts";

Deno.test("RevokedSessions.fromIssuer() sees a sign-out at the real auth service after one refresh, and verifyAccessToken refuses the token", async () => {
  await using stack = await startAuthStack();
  const ccgate = await discover(stack.url);
  const entraToken = await stack.entra.mintAccessToken({ user: { oid: "oid-alice" } });
  const tokens = await exchangeToken(ccgate.tokenEndpoint, entraToken);
  const other = await exchangeToken(ccgate.tokenEndpoint, entraToken);

  using revoked = await RevokedSessions.fromIssuer(stack.url);
  await revoked.refresh();
  const verify = (token: string) =>
    verifyAccessToken(token, {
      key: new URL(ccgate.jwksUri!),
      issuer: ccgate.issuer,
      audience: String(ccgate.raw.ccgate_access_token_audience),
      isRevoked: revoked.isRevoked,
    });
  const { sid } = await verify(tokens.accessToken);

  await revoke(ccgate.revocationEndpoint!, tokens.refreshToken!); // ccgate logout
  assertEquals(revoked.isRevoked(sid), false); // answered from memory: not pulled yet
  await revoked.refresh();
  assert(revoked.isRevoked(sid));
  const err = await assertRejects(() => verify(tokens.accessToken), AccessTokenError);
  assertEquals(err.code, "session_revoked");
  assertEquals((await verify(other.accessToken)).sub, "oid-alice");
  assertEquals(revoked.size, 1);
});
