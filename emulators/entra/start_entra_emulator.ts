import { Hono } from "hono";
import {
  DEFAULT_DEV_USER,
  EntraFlows,
  EntraOAuthError,
  type EntraUser,
  type MintAccessTokenOptions,
} from "./entra_flows.ts";
import { EntraSigner } from "./entra_signer.ts";

/** Options of {@linkcode startEntraEmulator}. */
export interface EntraEmulatorOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * Interface to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The emulated tenant id.
   * @default {"00000000-0000-4000-8000-00000000e17a"}
   */
  tenantId?: string;
  /**
   * ccgate's API app registration: the `aud` of access tokens.
   * @default {"00000000-0000-4000-8000-0000000000a1"}
   */
  apiClientId?: string;
  /**
   * The ccgate CLI's public client id: the `azp` of its tokens.
   * @default {"00000000-0000-4000-8000-0000000000c1"}
   */
  cliClientId?: string;
  /**
   * Other client ids allowed to sign in.
   * @default {[]}
   */
  extraClientIds?: string[];
  /**
   * The API's delegated scope name.
   * @default {"access_as_user"}
   */
  scope?: string;
  /** The dev user (merged over a default "Dev User" with roles `ccgate.user` and `ccgate.admin`). */
  devUser?: Partial<EntraUser>;
  /**
   * Approve device codes and browser sign-ins as the dev user without a
   * browser (announced once on stderr). When `false`, device codes wait for
   * {@linkcode EntraEmulator.approve} and browser sign-ins are declined.
   * @default {true}
   */
  autoApprove?: boolean;
  /**
   * Device code polling interval, seconds.
   * @default {5}
   */
  pollIntervalSeconds?: number;
  /**
   * Device code lifetime, seconds.
   * @default {900}
   */
  deviceCodeLifetimeSeconds?: number;
  /**
   * Access token lifetime, seconds.
   * @default {3600}
   */
  accessTokenLifetimeSeconds?: number;
  /**
   * The clock.
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * Where the one-time announcement goes.
   * @default {console.error}
   */
  log?: (line: string) => void;
}

/** A running Entra ID emulator. */
export interface EntraEmulator extends AsyncDisposable {
  /** Authority host, e.g. `http://127.0.0.1:PORT` (`ENTRA_AUTHORITY_HOST`). */
  url: string;
  /** The tenant id. */
  tenantId: string;
  /** `{url}/{tenantId}/v2.0`. */
  issuer: string;
  /** The API app's client id. */
  apiClientId: string;
  /** The CLI's client id. */
  cliClientId: string;
  /** The full scope a client requests: `api://{apiClientId}/{scope}`. */
  scope: string;
  /** The dev user. */
  devUser: EntraUser;
  /** Environment for the auth service pointing at this emulator (`ENTRA_*`). */
  env: Record<string, string>;
  /** How many times a JWKS was served. */
  readonly jwksFetches: number;
  /**
   * Mints an access token for the API, shaped like Entra v2, with any claim
   * or header overridden: `ver: "1.0"`, a `nonce` header, `idtyp: "app"`,
   * another tenant (still signed with a published key), an unpublished key...
   */
  mintAccessToken(options?: MintAccessTokenOptions): Promise<string>;
  /** Mints an ID token (audience: the CLI). */
  mintIdToken(options?: { claims?: Record<string, unknown>; nonce?: string }): Promise<string>;
  /** Approves a pending device code (as the dev user, or as `user`). */
  approve(userCode: string, user?: Partial<EntraUser>): boolean;
  /** Declines a pending device code. */
  decline(userCode: string): boolean;
  /** Publishes a new signing key and signs with it from now on (older keys stay published). */
  rotateKey(): Promise<string>;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a local, Entra-ID-compatible issuer over a real socket: OpenID
 * discovery at `{url}/{tenant}/v2.0/.well-known/openid-configuration`,
 * JWKS at `{url}/{tenant}/discovery/v2.0/keys`, `/{tenant}/oauth2/v2.0/devicecode`,
 * `/{tenant}/oauth2/v2.0/token` (device code, refresh token, authorization
 * code + PKCE) and `/{tenant}/oauth2/v2.0/authorize` (loopback redirects
 * only). Tokens are shaped like Entra v2 access tokens, RS256. For
 * development and tests only; production never starts it.
 *
 * @param options Ports, ids, the dev user, approval, timings, clock.
 * @returns The running emulator.
 *
 * @example Mint a token and close
 * ```ts
 * import { startEntraEmulator } from "@ccgate/emulators";
 *
 * await using entra = await startEntraEmulator({ log: () => {} });
 * const token = await entra.mintAccessToken();
 * console.log(token.split(".").length); // 3
 * ```
 */
export async function startEntraEmulator(
  options: EntraEmulatorOptions = {},
): Promise<EntraEmulator> {
  const tenantId = options.tenantId ?? "00000000-0000-4000-8000-00000000e17a";
  const apiClientId = options.apiClientId ?? "00000000-0000-4000-8000-0000000000a1";
  const cliClientId = options.cliClientId ?? "00000000-0000-4000-8000-0000000000c1";
  const scope = options.scope ?? "access_as_user";
  const devUser: EntraUser = { ...DEFAULT_DEV_USER, ...options.devUser };
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.error(line));
  const signer = await EntraSigner.create();
  let announced = false;
  let jwksFetches = 0;

  const app = new Hono();
  const server = Deno.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    onListen: () => {},
  }, app.fetch);
  const url = `http://${server.addr.hostname}:${server.addr.port}`;
  const f = new EntraFlows({
    url,
    tenantId,
    apiClientId,
    scope,
    clientIds: [cliClientId, ...(options.extraClientIds ?? [])],
    devUser,
    autoApprove: options.autoApprove ?? true,
    pollIntervalSeconds: options.pollIntervalSeconds ?? 5,
    deviceCodeLifetimeSeconds: options.deviceCodeLifetimeSeconds ?? 900,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    now,
    signer,
    announceAutoApprove: () => {
      if (announced) return;
      announced = true;
      log(
        `[ccgate] Entra ID emulator at ${url}: sign-ins are approved automatically as ` +
          `${devUser.name} <${devUser.preferred_username}> without a browser. Development only.`,
      );
    },
  });
  const knownTenant = (tenant: string) =>
    tenant === tenantId || tenant === "common" || tenant === "organizations";
  const tenantNotFound = (tenant: string) =>
    new EntraOAuthError(
      "invalid_request",
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      [90002],
    );

  app.get("/:tenant/v2.0/.well-known/openid-configuration", (c) => {
    const tenant = c.req.param("tenant");
    if (!knownTenant(tenant)) throw tenantNotFound(tenant);
    const base = `${url}/${tenant}`;
    return c.json({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: [
        "client_secret_post",
        "private_key_jwt",
        "client_secret_basic",
      ],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: tenant === tenantId ? f.issuer() : `${url}/{tenantid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub",
        "iss",
        "cloud_instance_name",
        "cloud_instance_host_name",
        "cloud_graph_host_name",
        "msgraph_host",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "acr",
        "nonce",
        "preferred_username",
        "name",
        "tid",
        "ver",
        "at_hash",
        "c_hash",
        "email",
      ],
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
    });
  });

  app.get("/:tenant/discovery/v2.0/keys", (c) => {
    jwksFetches++;
    return c.json(signer.jwks(`${url}/{tenantid}/v2.0`));
  });

  app.post("/:tenant/oauth2/v2.0/devicecode", async (c) => {
    const tenant = c.req.param("tenant");
    if (!knownTenant(tenant)) throw tenantNotFound(tenant);
    return c.json(f.deviceCode(new URLSearchParams(await c.req.text())));
  });

  app.post("/:tenant/oauth2/v2.0/token", async (c) => {
    const tenant = c.req.param("tenant");
    if (!knownTenant(tenant)) throw tenantNotFound(tenant);
    c.header("cache-control", "no-store, no-cache");
    return c.json(await f.token(new URLSearchParams(await c.req.text())));
  });

  app.get("/:tenant/oauth2/v2.0/authorize", (c) => {
    const tenant = c.req.param("tenant");
    if (!knownTenant(tenant)) throw tenantNotFound(tenant);
    const result = f.authorize(new URL(c.req.url).searchParams);
    if ("redirect" in result) return c.redirect(result.redirect, 302);
    return c.text(result.page, result.status as 400);
  });

  app.get("/devicelogin", (c) =>
    c.html(
      `<!doctype html><title>Entra ID emulator</title><h1>Entra ID emulator</h1>` +
        `<form method="post"><label>Code <input name="user_code"></label>` +
        `<button name="action" value="approve">Approve as ${_escape(devUser.name)}</button>` +
        `<button name="action" value="decline">Decline</button></form>`,
    ));
  app.post("/devicelogin", async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const code = form.get("user_code") ?? "";
    const ok = form.get("action") === "decline" ? f.decline(code) : f.approve(code);
    return c.text(
      ok ? "Done. You can close this window." : "Unknown or used code.",
      ok ? 200 : 400,
    );
  });

  app.onError((err, c) => {
    if (err instanceof EntraOAuthError) return c.json(err.body(now()), err.status as 400);
    return c.json(new EntraOAuthError("server_error", "Internal error", [], 500).body(now()), 500);
  });

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= server.shutdown();
    return closed;
  };

  return {
    url,
    tenantId,
    issuer: f.issuer(),
    apiClientId,
    cliClientId,
    scope: `api://${apiClientId}/${scope}`,
    devUser,
    env: {
      ENTRA_TENANT_ID: tenantId,
      ENTRA_CLIENT_ID: apiClientId,
      ENTRA_SCOPE: `api://${apiClientId}/${scope}`,
      ENTRA_ALLOWED_CLIENT_IDS: cliClientId,
      ENTRA_AUTHORITY_HOST: url,
    },
    get jwksFetches() {
      return jwksFetches;
    },
    mintAccessToken: (mint) => f.mintAccessToken(mint),
    mintIdToken: (mint) => f.mintIdToken(mint),
    approve: (userCode, user) => f.approve(userCode, user),
    decline: (userCode) => f.decline(userCode),
    rotateKey: () => signer.addKey(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function _escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
