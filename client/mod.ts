/**
 * The ccgate client library: verify ccgate access tokens in your own
 * services, exchange and refresh tokens, hold a session.
 *
 * @example Verify a token from an incoming request
 * ```ts
 * import { verifyAccessToken } from "@ccgate/client";
 *
 * const claims = await verifyAccessToken("eyJ...", {
 *   key: new URL("https://ccgate.example.com/.well-known/jwks.json"),
 *   issuer: "https://ccgate.example.com",
 *   audience: "ccgate",
 * }).catch((err) => err.code);
 * console.log(claims);
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./verify_access_token.ts";
