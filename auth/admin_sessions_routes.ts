import { type AccessTokenClaims, AccessTokenError, verifyAccessToken } from "@ccgate/client";
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { AuditLog, auditRecordOf } from "../gateway/admin/audit_log.ts";
import { auditResponse } from "../gateway/admin/audit_response.ts";
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
import type { SessionRecord } from "./session_record.ts";
import type { SessionStore } from "./session_store.ts";
import type { SigningKeys } from "./signing_keys.ts";

/** What {@linkcode adminSessionsRoutes} needs. */
export interface AdminSessionsRoutesOptions {
  /** Validated configuration (issuer, audience, admin role). */
  config: AuthConfig;
  /** Signing keys, to verify the admin's ccgate access token. */
  keys: SigningKeys;
  /** Sessions. */
  sessions: SessionStore;
  /** The auth service's KV: the admin audit log is written here (`["audit", ...]`). */
  kv: Deno.Kv;
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
 * - `GET /admin/sessions/audit?from&to&limit&after&decision&actor&format=json|csv`:
 *   the audit log in this service's KV, newest first, paged (see `audit_response.ts`);
 *   only for admins of an admin tenant.
 *
 * Every call with a valid token is written to the audit log (the gateway's
 * `AuditLog`, key prefix `["audit"]`) before it is answered: allowed calls
 * one record each, with what was revoked in `details`; refused calls
 * (without the admin role, or the audit log for an admin outside the admin
 * tenants) as `denied`, counted per caller, action and minute. In the combined server auth and
 * gateway share one KV, so the gateway's `GET /admin/audit` shows them too.
 *
 * A `sub` or `sid` longer than `MAX_SUBJECT_LENGTH` (256) characters is a 400
 * `invalid_request` naming the parameter (they become KV keys).
 *
 * @param options Dependencies.
 * @returns A Hono app with absolute paths, to mount at `/`.
 */
export function adminSessionsRoutes(
  options: AdminSessionsRoutesOptions,
): Hono<{ Variables: AdminVariables }> {
  const { config, sessions, now, log } = options;
  const audit = new AuditLog(options.kv);
  const app = new Hono<{ Variables: AdminVariables }>();

  async function authenticate(c: Context): Promise<AccessTokenClaims> {
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
    return claims;
  }

  // Authenticates (a 401 is not audited: there is no one to name), then checks the role and
  // writes the audit record before the answer leaves. Given to each route (not `app.use`), so
  // a path or method no route serves stays a 404 or 405.
  const admin: MiddlewareHandler<{ Variables: AdminVariables }> = async function admin(c, next) {
    const claims = await authenticate(c);
    const hasRole = claims.roles.includes(config.adminRole);
    if (hasRole) {
      c.set("admin", { claims, scope: adminTenantScope(claims.tid, config.adminTenants) });
      await next();
    }
    // A route may refuse an admin too (the audit log, beyond their tenant): denied as well.
    const allowed = hasRole && !(c.error instanceof AdminForbiddenError);
    await audit.write(auditRecordOf({
      at: now(),
      requestId: _requestId(),
      claims,
      req: c.req,
      allowed,
      status: c.res.status,
      details: c.get("auditDetails"),
    }));
    if (!hasRole) throw new AdminForbiddenError(config.adminRole);
  };

  function requireSub(c: Context): string {
    const sub = c.req.query("sub");
    if (sub === undefined || sub === "") {
      throw new InvalidRequestError('Missing query parameter "sub" (the user\'s Entra object id)');
    }
    return checkIdLength(sub, 'Query parameter "sub"');
  }

  app.get("/admin/sessions", admin, async (c) => {
    const { scope } = c.get("admin");
    const list = await sessions.listForUser(requireSub(c), now());
    const shown = list.filter((s) => scope.covers(s.identity.tid));
    c.set("auditDetails", { listed: shown.length });
    return c.json({ sessions: shown.map(_view) });
  });

  app.get("/admin/sessions/audit", admin, (c) => {
    if (!c.get("admin").scope.all) {
      throw new AdminForbiddenError(
        config.adminRole,
        "Cannot read the audit log: it covers every tenant, and your tenant is not one of CCGATE_ADMIN_TENANTS",
      );
    }
    return auditResponse(audit, c.req.raw, now, (message) => new InvalidRequestError(message));
  });

  app.delete("/admin/sessions/:sid", admin, async (c) => {
    const { claims: admin, scope } = c.get("admin");
    const sid = checkIdLength(c.req.param("sid"), 'Path parameter "sid"');
    // Another tenant's session is answered like a missing one: its existence is not disclosed.
    if (!scope.all && !scope.covers((await sessions.get(sid))?.identity.tid)) {
      throw new SessionNotFoundError();
    }
    const session = await sessions.revoke(sid, now(), "admin");
    if (session === undefined) throw new SessionNotFoundError();
    c.set("auditDetails", { sub: session.identity.sub, revoked: [sid] });
    log({
      level: "info",
      msg: "session revoked by admin",
      event: "admin_revoke",
      sid,
      admin: admin.sub,
    });
    return c.json({ revoked: [sid] });
  });

  app.delete("/admin/sessions", admin, async (c) => {
    const { claims: admin, scope } = c.get("admin");
    const sub = requireSub(c);
    // An admin outside the admin tenants revokes only their own tenant's sessions.
    const revoked = await sessions.revokeUser(
      sub,
      now(),
      "admin",
      (session) => scope.covers(session.identity.tid),
    );
    c.set("auditDetails", { revoked });
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

/** What the admin middleware hands the routes. */
export interface AdminVariables {
  /** The admin's verified claims and the tenants they reach. */
  admin: { claims: AccessTokenClaims; scope: AdminTenantScope };
  /** What the route did, for the audit record's `details`. */
  auditDetails: Record<string, unknown>;
}

function _requestId(): string {
  let id = "req_";
  for (const byte of crypto.getRandomValues(new Uint8Array(12))) {
    id += byte.toString(16).padStart(2, "0");
  }
  return id;
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
