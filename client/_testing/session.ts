/**
 * Test helper: a stored session with defaults.
 *
 * @module
 */
import type { StoredSession } from "../token_store.ts";

/** A session valid for an hour from `now`, with overrides. */
export function storedSession(
  overrides: Partial<StoredSession> = {},
  now = Date.now(),
): StoredSession {
  return {
    issuer: "https://ccgate.test",
    tokenEndpoint: "https://ccgate.test/oauth/token",
    revocationEndpoint: "https://ccgate.test/oauth/revoke",
    accessToken: "at-1",
    expiresAt: now + 3_600_000,
    refreshToken: "rt-1",
    ...overrides,
  };
}
