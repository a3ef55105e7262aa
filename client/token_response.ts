/** A successful answer of the ccgate auth service's token endpoint. */
export interface TokenResponse {
  /** The ccgate access token (a JWT); send it as `Authorization: Bearer`. */
  accessToken: string;
  /** Always `"Bearer"`. */
  tokenType: "Bearer";
  /** Seconds until the access token expires, as the server said. */
  expiresIn: number;
  /** The refresh token for the next refresh (rotated on every use), if one was issued. */
  refreshToken?: string;
  /** RFC 8693 `issued_token_type`, for token exchange answers. */
  issuedTokenType?: string;
  /** Granted scope, if the server said. */
  scope?: string;
}

/** Options shared by the requests to the ccgate auth service. */
export interface TokenRequestOptions {
  /**
   * The `client_id` sent with the request (public client, no secret).
   * @default {undefined} (not sent)
   */
  clientId?: string;
  /**
   * The `fetch` used for the request (tests, proxies).
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Give up after this many milliseconds.
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * Aborts the request.
   * @default {undefined}
   */
  signal?: AbortSignal;
}
