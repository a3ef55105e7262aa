import { _parseTokenResponse, _postForm } from "./_token_request.ts";
import type { TokenRequestOptions, TokenResponse } from "./token_response.ts";

/** The RFC 8693 grant type of a token exchange. */
export const TOKEN_EXCHANGE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
/** The RFC 8693 token type of an OAuth access token (what an Entra access token is). */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** Options of {@linkcode exchangeToken}. */
export interface ExchangeTokenOptions extends TokenRequestOptions {
  /**
   * RFC 8693 `subject_token_type`.
   * @default {"urn:ietf:params:oauth:token-type:access_token"}
   */
  subjectTokenType?: string;
  /**
   * RFC 8693 `requested_token_type`.
   * @default {undefined} (the server's default: a ccgate access token)
   */
  requestedTokenType?: string;
  /**
   * RFC 8693 `audience`.
   * @default {undefined}
   */
  audience?: string;
  /**
   * RFC 8693 `scope`.
   * @default {undefined}
   */
  scope?: string;
}

/**
 * Exchanges a token from the identity provider (an Entra ID access token for
 * the ccgate API) for a ccgate session: an access token and a refresh token
 * (RFC 8693 token exchange at the auth service's token endpoint).
 *
 * @param tokenEndpoint The auth service's `token_endpoint` (see {@linkcode discover}).
 * @param subjectToken The Entra ID access token.
 * @param options Token type, client id, `fetch`, timeout.
 * @returns The ccgate tokens.
 * @throws {TokenRequestError} `grant_invalid` when the Entra token is refused,
 * `network_error` when the service is unreachable, fails or cuts its answer off,
 * `rate_limited` on HTTP 429 (see `retryAfterSeconds`), `response_invalid` on a malformed
 * answer, `endpoint_invalid` for a non-http(s) endpoint, `aborted` when `signal` aborts.
 *
 * @example Exchange an Entra token
 * ```ts
 * import { exchangeToken, TokenRequestError } from "@ccgate/client";
 *
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     access_token: "eyJ...",
 *     issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
 *     token_type: "Bearer",
 *     expires_in: 3600,
 *     refresh_token: "r1",
 *   }));
 * const tokens = await exchangeToken("https://ccgate.example.com/oauth/token", "entra-token", {
 *   fetch: fakeFetch,
 * });
 * console.log(tokens.expiresIn); // 3600
 * console.log(TokenRequestError.name);
 * ```
 */
export async function exchangeToken(
  tokenEndpoint: URL | string,
  subjectToken: string,
  options: ExchangeTokenOptions = {},
): Promise<TokenResponse> {
  const response = await _postForm(tokenEndpoint, {
    grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
    subject_token: subjectToken,
    subject_token_type: options.subjectTokenType ?? ACCESS_TOKEN_TYPE,
    requested_token_type: options.requestedTokenType,
    audience: options.audience,
    scope: options.scope,
  }, options);
  return await _parseTokenResponse(response, options.signal);
}
