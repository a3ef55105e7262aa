import type { JWTPayload } from "jose";

/** The issuer of {@linkcode accessTokenClaims}. */
export const TEST_ISSUER = "https://ccgate.test";
/** The clock of the library's token tests. */
export const TEST_NOW = new Date("2026-11-24T12:00:00Z");

/**
 * The claims of a valid ccgate access token for the library's tests, issued
 * ten seconds before {@linkcode TEST_NOW} for an hour, with `overrides`.
 */
export function accessTokenClaims(overrides: JWTPayload = {}): JWTPayload {
  const nowSeconds = Math.floor(TEST_NOW.getTime() / 1000);
  return {
    iss: TEST_ISSUER,
    aud: "ccgate",
    sub: "oid-1",
    sid: "sid-1",
    jti: "jti-1",
    client_id: "cli",
    iat: nowSeconds - 10,
    exp: nowSeconds + 3600,
    roles: ["dev"],
    groups: [],
    ...overrides,
  };
}
