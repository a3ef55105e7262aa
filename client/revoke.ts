import { _postForm } from "./_token_request.ts";
import type { TokenRequestOptions } from "./token_response.ts";

/** Options of {@linkcode revoke}. */
export interface RevokeOptions extends TokenRequestOptions {
  /**
   * RFC 7009 `token_type_hint`.
   * @default {"refresh_token"}
   */
  tokenTypeHint?: "refresh_token" | "access_token";
}

/**
 * Revokes a ccgate token (RFC 7009). Revoking the refresh token ends the
 * whole session: its access tokens stop working at the gateway too.
 *
 * @param revocationEndpoint The auth service's `revocation_endpoint`.
 * @param token The token to revoke, usually the refresh token.
 * @param options Type hint, client id, `fetch`, timeout.
 * @throws {TokenRequestError} When the service is unreachable or refuses the request.
 *
 * @example Sign out
 * ```ts
 * import { revoke } from "@ccgate/client";
 *
 * const fakeFetch: typeof fetch = () => Promise.resolve(new Response(null, { status: 200 }));
 * await revoke("https://ccgate.example.com/oauth/revoke", "r1", { fetch: fakeFetch });
 * ```
 */
export async function revoke(
  revocationEndpoint: URL | string,
  token: string,
  options: RevokeOptions = {},
): Promise<void> {
  const response = await _postForm(revocationEndpoint, {
    token,
    token_type_hint: options.tokenTypeHint ?? "refresh_token",
  }, options);
  await response.body?.cancel();
}
