import { type AccessTokenClaims, AccessTokenError, verifyAccessToken } from "@ccgate/client";
import { Hono } from "hono";
import type { Context } from "hono";
import { type AdminTenantScope, adminTenantScope } from "../gateway/admin_tenant_scope.ts";
import { bearerToken } from "../gateway/bearer_token.ts";
import { checkIdLength } from "./check_id_length.ts";
import type { AuthConfig } from "./config.ts";
import {
  AdminAuthenticationError,
  AdminForbiddenError,
  InvalidRequestError,
  SessionNotFoundError,
} from "./errors.ts";
import type { SessionRecord, SessionStore } from "./session_store.ts";
import type { SigningKeys } from "./signing_keys.ts";

/** What {@linkcode adminSessionsRoutes} needs. */
export interface AdminSessionsRoutesOptions {
  /** Validated configuration (issuer, audience, admin role). */
  config: AuthConfig;
  /** Signing keys, to verify the admin's ccgate access token. */
  keys: SigningKeys;
  /** Sessions. */
  sessions: SessionStore;
  /** The clock. */
  now: () => Date;
  /** Structured log sink. */
  log: (record: object) => void;
}

/**
 * The session admin API, for callers holding a ccgate access token whose
 * `roles` (snapshotted from Entra app roles at sign-in) include
 * `CCGATE_ADMIN_ROLE` (default `ccgate.admin`) and whose session is not
 * revoked. An admin whose token's `tid` is not one of `CCGATE_ADMIN_TENANTS`
 * (default: the first tenant of `ENTRA_TENANT_ID`) reaches only sessions of
 * their own tenant: others are left out of lists and are 404 (see
 * `adminTenantScope`).
 *
 * - `GET /admin/sessions?sub=<oid>`: a user's sessions.
 * - `DELETE /admin/sessions/<sid>`: revoke one session.
 * - `DELETE /admin/sessions?sub=<oid>`: revoke all of a user's sessions.
 *
 * A `sub` or `sid` longer than `MAX_SUBJECT_LENGTH` (256) characters is a 400
 * `invalid_request` naming the parameter (they become KV keys).
 *
 * @param options Dependencies.
 * @returns A Hono app with absolute paths, to mount at `/`.
 */
export function adminSessionsRoutes(options: AdminSessionsRoutesOptions): Hono {
  const { config, sessions, now, log } = options;
  const app = new Hono();

  async function authorizeAdmin(
    c: Context,
  ): Promise<{ claims: AccessTokenClaims; scope: AdminTenantScope }> {
    const token = bearerToken(c.req.header("authorization") ?? "");
    if (token === undefined) {
      throw new AdminAuthenticationError(
        'Missing credentials: send a ccgate access token as "Authorization: Bearer <token>"',
      );
    }
    let claims: AccessTokenClaims;
    try {
      claims = await verifyAccessToken(token, {
        key: options.keys.getKey,
        issuer: config.issuer,
        audience: config.audience,
        currentDate: now(),
      });
    } catch (err) {
      if (err instanceof AccessTokenError) {
        throw new AdminAuthenticationError(`Invalid access token: ${err.message}`, { cause: err });
      }
      throw err;
    }
    const session = await sessions.get(claims.sid);
    if (session === undefined || session.revokedAt !== null) {
      throw new AdminAuthenticationError("Invalid access token: the session was revoked");
    }
    if (!claims.roles.includes(config.adminRole)) throw new AdminForbiddenError(config.adminRole);
    return { claims, scope: adminTenantScope(claims.tid, config.adminTenants) };
  }

  function requireSub(c: Context): string {
    const sub = c.req.query("sub");
    if (sub === undefined || sub === "") {
      throw new InvalidRequestError('Missing query parameter "sub" (the user\'s Entra object id)');
    }
    return checkIdLength(sub, 'Query parameter "sub"');
  }

  app.get("/admin/sessions", async (c) => {
    const { scope } = await authorizeAdmin(c);
    const list = await sessions.listForUser(requireSub(c), now());
    return c.json({
      sessions: list.filter((s) => scope.covers(s.identity.tid)).map(_view),
    });
  });

  app.delete("/admin/sessions/:sid", async (c) => {
    const { claims: admin, scope } = await authorizeAdmin(c);
    const sid = checkIdLength(c.req.param("sid"), 'Path parameter "sid"');
    // Another tenant's session is answered like a missing one: its existence is not disclosed.
    if (!scope.all && !scope.covers((await sessions.get(sid))?.identity.tid)) {
      throw new SessionNotFoundError();
    }
    const session = await sessions.revoke(sid, now(), "admin");
    if (session === undefined) throw new SessionNotFoundError();
    log({
      level: "info",
      msg: "session revoked by admin",
      event: "admin_revoke",
      sid,
      admin: admin.sub,
    });
    return c.json({ revoked: [sid] });
  });

  app.delete("/admin/sessions", async (c) => {
    const { claims: admin, scope } = await authorizeAdmin(c);
    const sub = requireSub(c);
    const revoked: string[] = [];
    if (scope.all) revoked.push(...await sessions.revokeUser(sub, now(), "admin"));
    else {
      for (const session of await sessions.listForUser(sub, now())) {
        if (session.revokedAt !== null || !scope.covers(session.identity.tid)) continue;
        if (await sessions.revoke(session.sid, now(), "admin")) revoked.push(session.sid);
      }
    }
    log({
      level: "info",
      msg: "user sessions revoked by admin",
      event: "admin_revoke_user",
      sub,
      count: revoked.length,
      admin: admin.sub,
    });
    return c.json({ revoked });
  });

  return app;
}

function _view(session: SessionRecord): Record<string, unknown> {
  return {
    sid: session.sid,
    sub: session.identity.sub,
    tid: session.identity.tid,
    client_id: session.clientId,
    name: session.identity.name,
    email: session.identity.email,
    roles: session.identity.roles,
    groups: session.identity.groups,
    created_at: new Date(session.createdAt).toISOString(),
    expires_at: new Date(session.expiresAt).toISOString(),
    revoked_at: session.revokedAt === null ? null : new Date(session.revokedAt).toISOString(),
    revoked_reason: session.revokedReason,
  };
}
