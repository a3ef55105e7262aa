import type { Context, Handler } from "hono";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./authorization_server_metadata.ts";
import {
  type AuthMetrics,
  grantLabel,
  type TokenGrantLabel,
  tokenOutcome,
} from "./auth_metrics.ts";
import type { AuthConfig } from "./config.ts";
import type { EntraTokenVerifier } from "./entra_token_verifier.ts";
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidTargetError,
  RateLimitedError,
  UnsupportedGrantTypeError,
} from "./errors.ts";
import { issueAccessToken } from "./issue_access_token.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import { readForm, requireParam } from "./read_form.ts";
import type { SessionGrant, SessionStore } from "./session_store.ts";
import type { SigningKeys } from "./signing_keys.ts";

/** What {@linkcode tokenRoute} needs. */
export interface TokenRouteOptions {
  /** Validated configuration. */
  config: AuthConfig;
  /** Signing keys. */
  keys: SigningKeys;
  /** Sessions and refresh tokens. */
  sessions: SessionStore;
  /** Verifier of Entra ID access tokens. */
  verifyEntraToken: EntraTokenVerifier;
  /** Per-address limiter of sign-ins (token exchanges and other non-refresh grants). */
  ipLimiter: RateLimiter;
  /**
   * Per-address limiter of failed refreshes (unknown or missing refresh
   * token) and unreadable requests: its own bucket, so junk from one address neither starves the
   * valid refreshes nor the sign-ins of others sharing that address.
   */
  failureLimiter: RateLimiter;
  /** Per-user limiter. */
  userLimiter: RateLimiter;
  /** The client's address (its rate-limit bucket). */
  clientIp: (c: Context) => string;
  /** The clock. */
  now: () => Date;
  /** Structured log sink. */
  log: (record: object) => void;
  /** Counts each answer by grant and outcome (none: not counted). */
  metrics?: AuthMetrics;
}

const SUBJECT_TOKEN_TYPES = new Set([ACCESS_TOKEN_TYPE, "urn:ietf:params:oauth:token-type:jwt"]);

/**
 * `POST /oauth/token`: RFC 8693 token exchange (Entra ID access token in,
 * ccgate session out) and `refresh_token` (rotation with reuse detection).
 *
 * Limits: a refresh whose refresh token is known counts against its user's
 * limit only (a 256-bit secret proves who is asking; behind a shared proxy or
 * NAT address an address limit would throttle everyone for one client's
 * loop). A refresh with an unknown or missing token counts against the
 * address's failure bucket, after the one KV read that tells the two apart,
 * as does an unreadable request. Everything else (token exchange, other
 * grant types) counts against the address's request bucket before any work, and the user's limit once the
 * Entra token is verified. Nothing is rotated by a refused request.
 *
 * @param options Dependencies.
 * @returns The handler.
 */
export function tokenRoute(options: TokenRouteOptions): Handler {
  const { config, now, log } = options;

  function limitUser(sub: string): void {
    const wait = options.userLimiter.take(sub);
    if (wait > 0) throw new RateLimitedError("user", wait);
  }

  async function respond(c: Context, grant: SessionGrant, exchange: boolean): Promise<Response> {
    const at = now();
    const { session } = grant;
    const remaining = Math.floor((session.expiresAt - at.getTime()) / 1000);
    const ttlSeconds = Math.max(1, Math.min(config.accessTtlSeconds, remaining));
    const issued = await issueAccessToken(options.keys, session.identity, {
      issuer: config.issuer,
      audience: config.audience,
      clientId: session.clientId,
      sessionId: session.sid,
      ttlSeconds,
      now: at,
    });
    c.header("cache-control", "no-store");
    c.header("pragma", "no-cache");
    return c.json({
      access_token: issued.accessToken,
      ...(exchange ? { issued_token_type: ACCESS_TOKEN_TYPE } : {}),
      token_type: "Bearer",
      expires_in: ttlSeconds,
      refresh_token: grant.refreshToken,
      refresh_token_expires_in: Math.max(0, remaining),
    });
  }

  async function exchange(c: Context, form: Map<string, string>): Promise<Response> {
    const subjectToken = requireParam(form, "subject_token");
    const subjectTokenType = requireParam(form, "subject_token_type");
    if (!SUBJECT_TOKEN_TYPES.has(subjectTokenType)) {
      throw new InvalidRequestError(
        `Unsupported subject_token_type: use ${ACCESS_TOKEN_TYPE} with an Entra ID access token`,
      );
    }
    if (form.has("actor_token")) {
      throw new InvalidRequestError("Delegation (actor_token) is not supported");
    }
    const requested = form.get("requested_token_type");
    if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE) {
      throw new InvalidRequestError(
        `Unsupported requested_token_type: only ${ACCESS_TOKEN_TYPE} is issued`,
      );
    }
    const audience = form.get("audience");
    if (audience !== undefined && audience !== config.audience) {
      throw new InvalidTargetError(
        `Cannot issue tokens for audience ${
          JSON.stringify(audience.slice(0, 200))
        }: this service issues for ${JSON.stringify(config.audience)}`,
      );
    }
    const resource = form.get("resource");
    if (resource !== undefined && !_isOwnResource(resource, config)) {
      throw new InvalidTargetError(
        `Cannot issue tokens for resource ${JSON.stringify(resource.slice(0, 200))}`,
      );
    }
    const identity = await options.verifyEntraToken(subjectToken);
    limitUser(identity.oid);
    const clientId = form.get("client_id");
    if (clientId !== undefined && clientId !== identity.azp) {
      throw new InvalidClientError(
        'The client_id does not match the Entra token\'s "azp": exchange the token from the app that obtained it',
      );
    }
    const grant = await options.sessions.create(
      {
        sub: identity.oid,
        tid: identity.tid,
        ...(identity.name !== undefined ? { name: identity.name } : {}),
        ...(identity.email !== undefined ? { email: identity.email } : {}),
        roles: identity.roles,
        groups: identity.groups,
      },
      identity.azp,
      now(),
    );
    log({
      level: "info",
      msg: "session created",
      event: "token_exchange",
      sid: grant.session.sid,
      sub: identity.oid,
      tid: identity.tid,
      client_id: identity.azp,
      groups_overage: identity.groupsOverage || undefined,
    });
    return await respond(c, grant, true);
  }

  function limitFailures(address: string): void {
    const wait = options.failureLimiter.take(address);
    if (wait > 0) throw new RateLimitedError("ip", wait);
  }

  async function refresh(
    c: Context,
    form: Map<string, string>,
    address: string,
  ): Promise<Response> {
    const given = form.get("refresh_token");
    const owner = given ? await options.sessions.findByRefreshToken(given) : undefined;
    if (owner === undefined) limitFailures(address);
    else limitUser(owner.identity.sub);
    const refreshToken = requireParam(form, "refresh_token");
    let grant: SessionGrant;
    try {
      // The client is checked before anything rotates: a refused request uses nothing up.
      grant = await options.sessions.refresh(refreshToken, now(), form.get("client_id"));
    } catch (err) {
      if (err instanceof InvalidGrantError && err.code === "refresh_token_reused") {
        log({
          level: "warn",
          msg: "refresh token reuse detected; session revoked",
          event: "refresh_token_reuse",
          sid: owner?.sid,
          sub: owner?.identity.sub,
        });
      }
      throw err;
    }
    log({
      level: "info",
      msg: "session refreshed",
      event: grant.graceReplay ? "refresh_grace_replay" : "refresh",
      sid: grant.session.sid,
      sub: grant.session.identity.sub,
      generation: grant.session.generation,
    });
    return await respond(c, grant, false);
  }

  return async function token(c) {
    let grant: TokenGrantLabel = "other";
    try {
      const response = await answer(c, (g) => grant = g);
      options.metrics?.tokenRequest(grant, "ok");
      return response;
    } catch (err) {
      options.metrics?.tokenRequest(grant, tokenOutcome(err));
      throw err;
    }
  };

  async function answer(c: Context, grantIs: (grant: TokenGrantLabel) => void): Promise<Response> {
    const address = options.clientIp(c);
    let form: Map<string, string>;
    try {
      form = await readForm(c);
    } catch (err) {
      limitFailures(address);
      throw err;
    }
    grantIs(grantLabel(form.get("grant_type")));
    if (form.get("grant_type") === "refresh_token") return await refresh(c, form, address);
    const wait = options.ipLimiter.take(address);
    if (wait > 0) throw new RateLimitedError("ip", wait);
    const grantType = form.get("grant_type");
    if (grantType === undefined || grantType === "") {
      throw new InvalidRequestError('Missing parameter "grant_type"');
    }
    if (grantType === TOKEN_EXCHANGE_GRANT) return await exchange(c, form);
    throw new UnsupportedGrantTypeError(grantType);
  }
}

function _isOwnResource(resource: string, config: AuthConfig): boolean {
  if (resource === config.audience) return true;
  try {
    return new URL(resource).origin === new URL(config.issuer).origin;
  } catch {
    return false;
  }
}
