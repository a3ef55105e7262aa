/**
 * The ccgate auth service: exchanges Entra ID access tokens for ccgate
 * sessions (RFC 8693), rotates refresh tokens with reuse detection, revokes
 * sessions, and publishes its rotating ES256 signing keys.
 *
 * @example Build the app
 * ```ts ignore
 * import { createApp, loadAuthConfig, openSigningKeys } from "@ccgate/auth";
 *
 * const kv = await Deno.openKv();
 * const config = loadAuthConfig(Deno.env.toObject());
 * const keys = await openSigningKeys(kv, { rotationIntervalMs: config.keyRotationMs });
 * Deno.serve(createApp({ kv, keys, config, now: () => new Date(), fetch, log: console.log }).fetch);
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./config.ts";
export * from "./signing_keys.ts";
export * from "./issue_access_token.ts";
export * from "./check_entra_claims.ts";
export * from "./entra_token_verifier.ts";
export * from "./refresh_token.ts";
export * from "./revocation_feed.ts";
export * from "./revocation_list.ts";
export * from "./session_store.ts";
export type { RefreshRecord, SessionRecord } from "./session_record.ts";
export * from "./check_id_length.ts";
export * from "./rate_limiter.ts";
export * from "./authorization_server_metadata.ts";
export * from "./app.ts";
