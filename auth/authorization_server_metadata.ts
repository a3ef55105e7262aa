import type { AuthConfig } from "./config.ts";

/** The RFC 8693 token exchange grant type. */
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
/** The RFC 8693 token type of access tokens. */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/**
 * The RFC 8414 metadata of the auth service, plus `ccgate_entra`: where and
 * how a client obtains the Entra ID access token to exchange (authority,
 * tenant, the CLI's client id, the scope to request), and, when
 * `config.gatewayUrl` is set (`CCGATE_GATEWAY_URL`; `main.ts` sets its own
 * URL), `ccgate_gateway_url`: the gateway the CLI points Claude Code at.
 *
 * @param config The validated configuration.
 * @returns The metadata document.
 *
 * @example
 * ```ts
 * import { authorizationServerMetadata, loadAuthConfig } from "@ccgate/auth";
 *
 * const config = loadAuthConfig({
 *   ENTRA_TENANT_ID: "t1", ENTRA_CLIENT_ID: "api", ENTRA_ALLOWED_CLIENT_IDS: "cli",
 *   CCGATE_ISSUER: "https://ccgate.example.com",
 * });
 * console.log(authorizationServerMetadata(config).token_endpoint);
 * // "https://ccgate.example.com/oauth/token"
 * ```
 */
export function authorizationServerMetadata(config: AuthConfig): Record<string, unknown> {
  const { issuer, entra } = config;
  const tenant = entra.tenantIds[0]!;
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: [TOKEN_EXCHANGE_GRANT, "refresh_token"],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    ccgate_revocations_endpoint: `${issuer}/oauth/revocations`,
    ccgate_access_token_audience: config.audience,
    ...(config.gatewayUrl !== undefined ? { ccgate_gateway_url: config.gatewayUrl } : {}),
    ccgate_entra: {
      authority: `${entra.authorityHost}/${tenant}`,
      issuer: `${entra.authorityHost}/${tenant}/v2.0`,
      tenant_id: tenant,
      client_id: entra.allowedClientIds[0],
      scope: `${entra.requestScope} offline_access`,
    },
  };
}
