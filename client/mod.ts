/**
 * The ccgate client library: verify ccgate access tokens in your own
 * services, exchange and refresh tokens, hold a session.
 *
 * @example Verify the token of an incoming request
 * ```ts
 * import { AccessTokenError, verifyAccessToken } from "@ccgate/client";
 *
 * async function handle(request: Request): Promise<Response> {
 *   const token = request.headers.get("authorization")?.match(/^Bearer (.+)$/i)?.[1] ?? "";
 *   try {
 *     const claims = await verifyAccessToken(token, {
 *       key: new URL("https://ccgate.example.com/.well-known/jwks.json"),
 *       issuer: "https://ccgate.example.com",
 *       audience: "ccgate",
 *     });
 *     return Response.json({ user: claims.sub });
 *   } catch (err) {
 *     if (!(err instanceof AccessTokenError)) throw err;
 *     // The keys could not be fetched: the server's fault, not the token's.
 *     if (err.code === "token_keys_unavailable") return new Response(null, { status: 503 });
 *     return new Response(null, { status: 401 });
 *   }
 * }
 *
 * const response = await handle(
 *   new Request("https://api.example.com/", { headers: { authorization: "Bearer eyJ..." } }),
 * );
 * console.log(response.status); // 401: "eyJ..." is not a valid JWT
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./verify_access_token.ts";
export * from "./remote_key_set.ts";
export * from "./token_response.ts";
export * from "./exchange_token.ts";
export * from "./refresh.ts";
export * from "./revoke.ts";
export * from "./revocation_feed_reader.ts";
export * from "./revoked_sessions.ts";
export * from "./revoked_sessions_options.ts";
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
