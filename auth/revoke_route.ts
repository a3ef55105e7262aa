import { AccessTokenError, verifyAccessToken } from "@ccgate/client";
import type { Context, Handler } from "hono";
import type { AuthConfig } from "./config.ts";
import { RateLimitedError } from "./errors.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import { readForm, requireParam } from "./read_form.ts";
import { REFRESH_TOKEN_PREFIX } from "./refresh_token.ts";
import type { SessionRecord } from "./session_record.ts";
import type { SessionStore } from "./session_store.ts";
import type { SigningKeys } from "./signing_keys.ts";

/** What {@linkcode revokeRoute} needs. */
export interface RevokeRouteOptions {
  /** Validated configuration. */
  config: AuthConfig;
  /** Signing keys, to recognise our access tokens. */
  keys: SigningKeys;
  /** Sessions. */
  sessions: SessionStore;
  /** Per-address limiter. */
  ipLimiter: RateLimiter;
  /** The client's address. */
  clientIp: (c: Context) => string;
  /** The clock. */
  now: () => Date;
  /** Structured log sink. */
  log: (record: object) => void;
}

/**
 * `POST /oauth/revoke` (RFC 7009): logout. The token (a ccgate refresh
 * token, or a ccgate access token still within its lifetime) identifies the
 * session; possessing it is the authorization. The whole session is
 * revoked. Answers 200 with an empty body whether or not the token was
 * known, as RFC 7009 §2.2 requires.
 *
 * @param options Dependencies.
 * @returns The handler.
 */
export function revokeRoute(options: RevokeRouteOptions): Handler {
  const { config, now, log } = options;

  // RFC 7009 §2.1: the hint only orders the search; a token not found as the
  // hinted type is looked up as the other type too.
  async function sessionOf(
    token: string,
    hint: string | undefined,
  ): Promise<SessionRecord | undefined> {
    const refreshFirst = token.startsWith(REFRESH_TOKEN_PREFIX) || hint === "refresh_token";
    const lookups = refreshFirst
      ? [byRefreshToken, byAccessToken]
      : [byAccessToken, byRefreshToken];
    for (const lookup of lookups) {
      const session = await lookup(token);
      if (session !== undefined) return session;
    }
    return undefined;
  }

  async function byRefreshToken(token: string): Promise<SessionRecord | undefined> {
    // Refresh tokens always carry the prefix: anything else cannot be one.
    if (!token.startsWith(REFRESH_TOKEN_PREFIX)) return undefined;
    return await options.sessions.findByRefreshToken(token);
  }

  async function byAccessToken(token: string): Promise<SessionRecord | undefined> {
    try {
      const claims = await verifyAccessToken(token, {
        key: options.keys.getKey,
        issuer: config.issuer,
        audience: config.audience,
        currentDate: now(),
      });
      return await options.sessions.get(claims.sid);
    } catch (err) {
      if (err instanceof AccessTokenError) return undefined;
      throw err;
    }
  }

  return async function revoke(c) {
    const wait = options.ipLimiter.take(options.clientIp(c));
    if (wait > 0) throw new RateLimitedError("ip", wait);
    const form = await readForm(c);
    const token = requireParam(form, "token");
    const session = await sessionOf(token, form.get("token_type_hint"));
    if (session !== undefined && session.revokedAt === null) {
      await options.sessions.revoke(session.sid, now(), "logout");
      log({
        level: "info",
        msg: "session revoked",
        event: "logout",
        sid: session.sid,
        sub: session.identity.sub,
      });
    }
    c.header("cache-control", "no-store");
    return c.body(null, 200);
  };
}
