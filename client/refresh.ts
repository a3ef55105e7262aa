import { _parseTokenResponse, _postForm } from "./_token_request.ts";
import type { TokenRequestOptions, TokenResponse } from "./token_response.ts";

/**
 * Uses a ccgate refresh token (RFC 6749 §6). The auth service rotates refresh
 * tokens: the answer carries a new one, and the old one must not be used
 * again (a reuse outside the grace window revokes the whole session).
 *
 * @param tokenEndpoint The auth service's `token_endpoint`.
 * @param refreshToken The current refresh token.
 * @param options Client id, `fetch`, timeout.
 * @returns The new access token and the successor refresh token.
 * @throws {TokenRequestError} `grant_invalid` when the session is over (sign in again),
 * `network_error` when the outcome is unknown (unreachable, timed out, HTTP 5xx, an answer
 * cut off: the token may have been rotated, so retry with the same token within the grace
 * window), `rate_limited` on HTTP 429, `endpoint_invalid` for a non-http(s) endpoint,
 * `aborted` when `signal` aborts.
 *
 * @example Refresh a session
 * ```ts
 * import { refresh } from "@ccgate/client";
 *
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     access_token: "eyJ...",
 *     token_type: "Bearer",
 *     expires_in: 3600,
 *     refresh_token: "r2",
 *   }));
 * const tokens = await refresh("https://ccgate.example.com/oauth/token", "r1", { fetch: fakeFetch });
 * console.log(tokens.refreshToken); // "r2"
 * ```
 */
export async function refresh(
  tokenEndpoint: URL | string,
  refreshToken: string,
  options: TokenRequestOptions = {},
): Promise<TokenResponse> {
  const response = await _postForm(tokenEndpoint, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
  }, options);
  return await _parseTokenResponse(response, options.signal);
}
