import { assertEquals, assertThrows } from "../testing/assert.ts";
import { InvalidGrantError } from "./errors.ts";
import { assertSessionUsable, type SessionRecord } from "./session_record.ts";

const session: SessionRecord = {
  sid: "sid-1",
  identity: { sub: "user-1", tid: "tenant-1", roles: [], groups: [] },
  clientId: "client-1",
  createdAt: 1_000,
  expiresAt: 2_000,
  revokedAt: null,
  refreshHash: "hash",
  generation: 0,
};

Deno.test("assertSessionUsable() lets a session through until its absolute expiry", () => {
  assertSessionUsable(session, 1_000);
  assertSessionUsable(session, 1_999);
});

Deno.test("assertSessionUsable() throws session_expired at and after the expiry", () => {
  for (const at of [2_000, 5_000]) {
    const err = assertThrows(() => assertSessionUsable(session, at), InvalidGrantError);
    assertEquals(err.code, "session_expired");
  }
});

Deno.test("assertSessionUsable() throws session_revoked for a revoked session, expired or not", () => {
  const revoked = { ...session, revokedAt: 1_500, revokedReason: "logout" };
  for (const at of [1_600, 3_000]) {
    const err = assertThrows(() => assertSessionUsable(revoked, at), InvalidGrantError);
    assertEquals(err.code, "session_revoked");
  }
});
