/** `Bearer <token>`, the token an RFC 6750 `b64token`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 syntax),
 * or `undefined` when the header is not one. Pure.
 *
 * @param authorization The header's value.
 * @returns The token.
 *
 * @example
 * ```ts
 * import { bearerToken } from "./bearer_token.ts";
 * console.assert(bearerToken("Bearer abc.def") === "abc.def");
 * console.assert(bearerToken("Basic abc") === undefined);
 * ```
 */
export function bearerToken(authorization: string): string | undefined {
  return BEARER.exec(authorization)?.[1];
}
