import { authEnvSchema } from "./auth_env_schema.ts";
import type { ProxyTrust } from "./client_address.ts";
import { ConfigError } from "./errors.ts";

/** Which Entra ID tokens are accepted for exchange. */
export interface EntraConfig {
  /** Allowed tenant ids; the first is the one the CLI signs in to. */
  tenantIds: string[];
  /** Our API's application id: the `aud` of accepted tokens. */
  clientId: string;
  /** The scope name that must appear in `scp` (`access_as_user`). */
  scope: string;
  /** The full scope a client requests from Entra (`api://<id>/access_as_user`). */
  requestScope: string;
  /** Client ids allowed as `azp`; the first is the ccgate CLI's. */
  allowedClientIds: string[];
  /** App roles a user must have, all of them. */
  requiredRoles: string[];
  /** Group ids a user must be in, any one of them. */
  requiredGroups: string[];
  /** Authority host without trailing slash. */
  authorityHost: string;
}

/** Validated auth service configuration. */
export interface AuthConfig {
  /** `development` or `production`. */
  env: "development" | "production";
  /** Entra ID token acceptance rules. */
  entra: EntraConfig;
  /** `iss` of ccgate access tokens; no trailing slash. */
  issuer: string;
  /** The gateway's public URL, published as `ccgate_gateway_url`; no trailing slash. */
  gatewayUrl?: string;
  /** `aud` of ccgate access tokens. */
  audience: string;
  /** Access token lifetime, seconds. */
  accessTtlSeconds: number;
  /** Absolute session lifetime, seconds. */
  sessionTtlSeconds: number;
  /** Refresh token reuse grace window, seconds. */
  refreshGraceSeconds: number;
  /** App role required for the admin API. */
  adminRole: string;
  /** Tenants whose admins reach every tenant (others: their own tenant only; `adminTenantScope`). */
  adminTenants: string[];
  /**
   * Token endpoint limits, per minute: requests per address (sign-ins,
   * revocations), failed refreshes per address, requests per user.
   */
  rateLimits: { perIpPerMinute: number; failuresPerIpPerMinute: number; perUserPerMinute: number };
  /** Whose word about the client's address is believed (`CCGATE_TRUSTED_PROXIES`). */
  proxyTrust: ProxyTrust;
  /** Revocation list refresh interval, milliseconds. */
  revocationRefreshMs: number;
  /** Signing key rotation interval, milliseconds. */
  keyRotationMs: number;
}

/** Default `aud` of ccgate access tokens (the gateway's default `CCGATE_AUDIENCE`). */
export const DEFAULT_AUDIENCE = "ccgate";
/** Default app role of ccgate administrators. */
export const DEFAULT_ADMIN_ROLE = "ccgate.admin";
/** Default Entra scope name. */
export const DEFAULT_ENTRA_SCOPE = "access_as_user";
/** Entra's public cloud authority host. */
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

/**
 * Validates the auth service's environment.
 *
 * Required everywhere: `ENTRA_TENANT_ID`, `ENTRA_CLIENT_ID`,
 * `ENTRA_ALLOWED_CLIENT_IDS` (in development `main.ts` fills them from the
 * local Entra emulator). Production (`CCGATE_ENV=production` or Deno Deploy)
 * also requires `CCGATE_ISSUER`, and https for it, for `ENTRA_AUTHORITY_HOST`
 * and for `CCGATE_GATEWAY_URL` when set.
 *
 * @param env Environment variables (for example `Deno.env.toObject()`).
 * @returns The typed configuration.
 * @throws {ConfigError} Naming the first bad setting: `Invalid setting CCGATE_ACCESS_TTL: must be ...`.
 *
 * @example Load a minimal development configuration
 * ```ts
 * import { loadAuthConfig } from "@ccgate/auth";
 *
 * const config = loadAuthConfig({
 *   ENTRA_TENANT_ID: "11111111-1111-1111-1111-111111111111",
 *   ENTRA_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
 *   ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-3333-3333-333333333333",
 * });
 * console.log(config.accessTtlSeconds); // 3600
 * ```
 */
export function loadAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(authEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = authEnvSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? "environment");
    const message = issue.code === "invalid_type" && picked[key] === undefined
      ? "is required"
      : issue.message;
    throw new ConfigError(`Invalid setting ${key}: ${message}`);
  }
  const e = result.data;
  const production = e.CCGATE_ENV === "production" || e.DENO_DEPLOYMENT_ID !== undefined;
  const authorityHost = e.ENTRA_AUTHORITY_HOST ?? DEFAULT_AUTHORITY_HOST;
  if (production) {
    if (e.CCGATE_ISSUER === undefined) {
      throw new ConfigError("Invalid setting CCGATE_ISSUER: is required in production");
    }
    if (!e.CCGATE_ISSUER.startsWith("https://")) {
      throw new ConfigError("Invalid setting CCGATE_ISSUER: must be an https URL in production");
    }
    if (e.CCGATE_GATEWAY_URL !== undefined && !e.CCGATE_GATEWAY_URL.startsWith("https://")) {
      throw new ConfigError(
        "Invalid setting CCGATE_GATEWAY_URL: must be an https URL in production",
      );
    }
    if (!authorityHost.startsWith("https://")) {
      throw new ConfigError(
        "Invalid setting ENTRA_AUTHORITY_HOST: must be an https URL in production",
      );
    }
  }
  if (e.CCGATE_ACCESS_TTL > e.CCGATE_SESSION_TTL) {
    throw new ConfigError(
      "Invalid setting CCGATE_ACCESS_TTL: must not be longer than CCGATE_SESSION_TTL",
    );
  }
  if (e.CCGATE_KEY_ROTATION < e.CCGATE_ACCESS_TTL + 300) {
    throw new ConfigError(
      "Invalid setting CCGATE_KEY_ROTATION: must be at least CCGATE_ACCESS_TTL plus 5 minutes, so a token never outlives its key",
    );
  }
  const adminTenants = e.CCGATE_ADMIN_TENANTS ?? [e.ENTRA_TENANT_ID[0]!];
  const allowed = new Set(e.ENTRA_TENANT_ID.map((t) => t.toLowerCase()));
  if (!adminTenants.every((t) => allowed.has(t.toLowerCase()))) {
    throw new ConfigError(
      "Invalid setting CCGATE_ADMIN_TENANTS: must list tenants of ENTRA_TENANT_ID",
    );
  }
  if (e.CCGATE_CLIENT_IP_HEADER !== undefined && e.CCGATE_TRUSTED_PROXIES === undefined) {
    throw new ConfigError(
      "Invalid setting CCGATE_CLIENT_IP_HEADER: needs CCGATE_TRUSTED_PROXIES, the proxies allowed to set it (0.0.0.0/0,::/0 only if nothing but your proxy can reach ccgate)",
    );
  }
  const scopeSetting = e.ENTRA_SCOPE ?? DEFAULT_ENTRA_SCOPE;
  const scope = scopeSetting.slice(scopeSetting.lastIndexOf("/") + 1);
  if (scope === "") {
    throw new ConfigError("Invalid setting ENTRA_SCOPE: must end with the scope name");
  }
  return {
    env: production ? "production" : "development",
    entra: {
      tenantIds: e.ENTRA_TENANT_ID,
      clientId: e.ENTRA_CLIENT_ID,
      scope,
      requestScope: scopeSetting.includes("/")
        ? scopeSetting
        : `api://${e.ENTRA_CLIENT_ID}/${scopeSetting}`,
      allowedClientIds: e.ENTRA_ALLOWED_CLIENT_IDS,
      requiredRoles: e.ENTRA_REQUIRED_ROLES ?? [],
      requiredGroups: e.ENTRA_REQUIRED_GROUPS ?? [],
      authorityHost,
    },
    issuer: e.CCGATE_ISSUER ?? `http://127.0.0.1:${e.PORT ?? "8080"}`,
    ...(e.CCGATE_GATEWAY_URL !== undefined ? { gatewayUrl: e.CCGATE_GATEWAY_URL } : {}),
    audience: e.CCGATE_AUDIENCE ?? DEFAULT_AUDIENCE,
    accessTtlSeconds: e.CCGATE_ACCESS_TTL,
    sessionTtlSeconds: e.CCGATE_SESSION_TTL,
    refreshGraceSeconds: e.CCGATE_REFRESH_GRACE,
    adminRole: e.CCGATE_ADMIN_ROLE ?? DEFAULT_ADMIN_ROLE,
    adminTenants,
    rateLimits: {
      perIpPerMinute: e.CCGATE_TOKEN_RATE_PER_IP,
      failuresPerIpPerMinute: e.CCGATE_TOKEN_FAILURES_PER_IP,
      perUserPerMinute: e.CCGATE_TOKEN_RATE_PER_USER,
    },
    proxyTrust: {
      proxies: e.CCGATE_TRUSTED_PROXIES ?? [],
      ...(e.CCGATE_CLIENT_IP_HEADER !== undefined ? { header: e.CCGATE_CLIENT_IP_HEADER } : {}),
    },
    revocationRefreshMs: e.CCGATE_REVOCATION_REFRESH_MS,
    keyRotationMs: e.CCGATE_KEY_ROTATION * 1000,
  };
}
