import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { addressBucket, clientAddress } from "./client_address.ts";
import { authMetricsRoute } from "./auth_metrics_route.ts";
import type { AuthMetrics } from "./auth_metrics.ts";
import { adminSessionsRoutes } from "./admin_sessions_routes.ts";
import { authorizationServerMetadata } from "./authorization_server_metadata.ts";
import type { AuthConfig } from "./config.ts";
import { createEntraTokenVerifier, type EntraTokenVerifier } from "./entra_token_verifier.ts";
import { EntraTokenError, InvalidRequestError } from "./errors.ts";
import { onError } from "./on_error.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { RevocationFeedSnapshot } from "./revocation_feed_snapshot.ts";
import type { RevocationList } from "./revocation_list.ts";
import { revocationsRoute } from "./revocations_route.ts";
import { revokeRoute } from "./revoke_route.ts";
import { routeNotFound } from "./route_not_found.ts";
import { SessionStore } from "./session_store.ts";
import type { SigningKeys } from "./signing_keys.ts";
import { tokenRoute } from "./token_route.ts";

/** Everything the auth service needs from the outside world. */
export interface AuthDeps {
  /** Sessions, refresh tokens, revocations and signing keys live here. */
  kv: Deno.Kv;
  /** The signing key ring (from `openSigningKeys(kv)`). */
  keys: SigningKeys;
  /** Validated configuration (from `loadAuthConfig`). */
  config: AuthConfig;
  /** The clock. */
  now: () => Date;
  /** `fetch` for Entra's JWKS. */
  fetch: typeof fetch;
  /** Structured log sink; never receives a token. */
  log: (record: object) => void;
  /**
   * The in-process revocation list of a gateway mounted next to this app:
   * revocations done here reach it at once instead of at its next refresh.
   */
  revocations?: RevocationList;
  /**
   * The client's address (its rate-limit bucket) for per-address limits.
   * @default {the socket's remote address, or the address the trusted proxies of `config.proxyTrust` report (see `clientAddress`), IPv6 grouped by /64}
   */
  clientIp?: (c: Context) => string;
  /** Verifier of Entra tokens; built from `config.entra` and `fetch` by default. */
  verifyEntraToken?: EntraTokenVerifier;
  /**
   * Where the service counts token requests, 429s, Entra key errors and
   * revocations, and reads the signing key's age (none: nothing counted). In
   * the combined server, the gateway's `GatewayMetrics` includes it.
   */
  metrics?: AuthMetrics;
  /**
   * Serve `GET /metrics` (Prometheus text of `metrics`) from this app, with
   * this scrape token (`CCGATE_METRICS_TOKEN`; unset: open). Only when auth
   * runs alone: in the combined server the gateway's `/metrics` renders both.
   */
  serveMetrics?: { token?: string };
}

/**
 * Builds the auth service. It only claims `/oauth/*`, `/.well-known/*` and
 * `/admin/sessions*`, registers no catch-all middleware, and handles its own
 * errors, so it can be mounted at `/` next to the gateway.
 *
 * - `POST /oauth/token`: RFC 8693 exchange of an Entra ID access token, and `refresh_token`.
 * - `POST /oauth/revoke`: RFC 7009 (logout: revokes the token's session).
 * - `GET /oauth/revocations?since=<ms>`: public feed of revoked session ids, paged, from memory
 *   refreshed from KV at most once a second (see `revocations_route.ts`).
 * - `GET /.well-known/jwks.json`: previous, current and next public keys.
 * - `GET /.well-known/oauth-authorization-server`: RFC 8414 metadata.
 * - `GET|DELETE /admin/sessions...`: role-gated session admin (see `admin_sessions_routes.ts`).
 * - `GET /metrics`: only with `deps.serveMetrics` (auth alone; see `auth_metrics_route.ts`).
 *
 * Any other path or method it claims is an RFC 6749-shaped 404, or a 405
 * with `Allow` (see `route_not_found.ts`). When this app is mounted into
 * another with `route()`, the other app's not-found handler answers instead.
 *
 * Limits on `/oauth/token` and `/oauth/revoke`, in memory per instance, per
 * client address as `CCGATE_TRUSTED_PROXIES` defines it:
 * `CCGATE_TOKEN_RATE_PER_IP` (60/min) per address for sign-ins and, counted
 * apart, sign-outs (a client held back from signing in can still sign out);
 * `CCGATE_TOKEN_FAILURES_PER_IP` (20/min) per address for refreshes with an
 * unknown refresh token; `CCGATE_TOKEN_RATE_PER_USER` (30/min) per user, the
 * only limit on refreshes with a valid refresh token (see `token_route.ts`).
 * The first refusal of a bucket logs one `rate_limited` warning. Bodies
 * above 64 KiB are refused.
 *
 * @param deps Dependencies.
 * @returns The Hono app.
 *
 * @example Serve it alone
 * ```ts ignore
 * const app = createApp({ kv, keys, config, now: () => new Date(), fetch, log: console.log });
 * Deno.serve(app.fetch);
 * ```
 */
export function createApp(deps: AuthDeps): Hono {
  const { kv, keys, config, now, log, metrics } = deps;
  const feed = new RevocationFeedSnapshot(kv, { now });
  const sessions = new SessionStore(kv, {
    sessionTtlSeconds: config.sessionTtlSeconds,
    refreshGraceSeconds: config.refreshGraceSeconds,
    onRevoked: (revocation, reason) => {
      feed.remember(revocation);
      deps.revocations?.remember(revocation);
      metrics?.revocation(reason);
    },
  });
  const limiter = (limit: number, bucket: string) => {
    const limiter = new RateLimiter({
      limit,
      now,
      onLimited: (key, retryAfterSeconds) =>
        log({
          level: "warn",
          msg: "rate limit reached",
          event: "rate_limited",
          bucket,
          key,
          limit_per_minute: limit,
          retry_after_s: retryAfterSeconds,
        }),
    });
    metrics?.rateLimitedFrom(bucket, () => limiter.refused);
    return limiter;
  };
  const ipLimiter = limiter(config.rateLimits.perIpPerMinute, "token_per_address");
  const failureLimiter = limiter(
    config.rateLimits.failuresPerIpPerMinute,
    "failed_refresh_per_address",
  );
  const userLimiter = limiter(config.rateLimits.perUserPerMinute, "token_per_user");
  const revokeIpLimiter = limiter(config.rateLimits.perIpPerMinute, "revoke_per_address");
  const clientIp = deps.clientIp ??
    ((c: Context) =>
      addressBucket(clientAddress(_remoteAddress(c), c.req.raw.headers, config.proxyTrust)));
  const verifyEntraToken = _countingKeyErrors(
    deps.verifyEntraToken ??
      createEntraTokenVerifier({ entra: config.entra, now, fetch: deps.fetch }),
    metrics,
  );
  metrics?.signingKeyAgeFrom(() => Math.max(0, (now().getTime() - keys.rotatedAt()) / 1000));

  const app = new Hono();
  const limitBody = bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new InvalidRequestError("Cannot read the request: the body exceeds 64 KiB");
    },
  });

  app.post(
    "/oauth/token",
    limitBody,
    tokenRoute({
      config,
      keys,
      sessions,
      verifyEntraToken,
      ipLimiter,
      failureLimiter,
      userLimiter,
      clientIp,
      now,
      log,
      metrics,
    }),
  );
  app.post(
    "/oauth/revoke",
    limitBody,
    revokeRoute({ config, keys, sessions, ipLimiter: revokeIpLimiter, clientIp, now, log }),
  );
  if (deps.serveMetrics !== undefined && metrics !== undefined) {
    app.get("/metrics", authMetricsRoute(metrics, deps.serveMetrics));
  }
  app.get("/oauth/revocations", revocationsRoute({ feed }));
  app.get("/.well-known/jwks.json", async (c) => {
    c.header("cache-control", "public, max-age=300");
    return c.json(await keys.jwks());
  });
  app.get("/.well-known/oauth-authorization-server", (c) => {
    c.header("cache-control", "public, max-age=3600");
    return c.json(authorizationServerMetadata(config));
  });
  app.route("/", adminSessionsRoutes({ config, keys, sessions, kv, now, log }));
  app.notFound(routeNotFound(app));
  app.onError(onError(log));
  return app;
}

/** Counts the Entra tokens `verify` refuses for want of a signing key. */
function _countingKeyErrors(
  verify: EntraTokenVerifier,
  metrics: AuthMetrics | undefined,
): EntraTokenVerifier {
  if (metrics === undefined) return verify;
  return async (token) => {
    try {
      return await verify(token);
    } catch (err) {
      if (err instanceof EntraTokenError) {
        if (err.code === "entra_token_keys_unavailable") metrics.entraKeyError("keys_unavailable");
        else if (err.code === "entra_token_key_unknown") metrics.entraKeyError("unknown_kid");
      }
      throw err;
    }
  };
}

function _remoteAddress(c: Context): string | undefined {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname;
}
