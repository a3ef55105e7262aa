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
export * from "./token_response.ts";
export * from "./exchange_token.ts";
export * from "./refresh.ts";
export * from "./revoke.ts";
export * from "./discover.ts";
export * from "./token_store.ts";
export * from "./memory_token_store.ts";
export * from "./file_token_store.ts";
export * from "./macos_keychain_token_store.ts";
export * from "./secret_service_token_store.ts";
export * from "./windows_credential_token_store.ts";
export * from "./command_runner.ts";
export * from "./file_lock.ts";
export * from "./token_session.ts";
export * from "./entra_token.ts";
export * from "./sign_in_with_device_code.ts";
export * from "./sign_in_with_browser.ts";
export * from "./sign_in_with_azure_cli.ts";
