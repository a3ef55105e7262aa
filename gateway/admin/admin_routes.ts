import type { Context, Hono, MiddlewareHandler } from "hono";
import type { GatewayDeps } from "../app.ts";
import { type AdminTenantScope, adminTenantScope } from "../admin_tenant_scope.ts";
import {
  AdminRoleRequiredError,
  AdminTenantRequiredError,
  AdminTenantUnknownError,
  InvalidRequestError,
} from "../errors.ts";
import { dayOf, MAX_ENTRY_TEXT } from "../ledger/ledger_entry.ts";
import { MAX_MODEL_CHARS } from "../model_map.ts";
import type { LedgerKv } from "../ledger/roll_up_entry.ts";
import { daysIn, type UsageFilter } from "../ledger/usage_query.ts";
import { readUsageSummary } from "../ledger/read_usage_summary.ts";
import { registerAdminPolicyRoutes } from "./admin_policy_routes.ts";
import { AuditLog, auditRecordOf } from "./audit_log.ts";
import { AUDIT_CSV_COLUMNS, auditResponse } from "./audit_response.ts";
import { boundedParam } from "./bounded_param.ts";
import { DASHBOARD_HTML, DASHBOARD_JS } from "./dashboard_page.ts";
import { entriesResponse } from "./entries_response.ts";
import { modelFilterIds } from "./model_filter_ids.ts";
import { usageResponse } from "./usage_response.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The tenants the admin calling `/admin/api/*` reaches (`adminTenantScope`). */
    adminScope: AdminTenantScope;
  }
}

/** Columns of the usage (rollup) export. */
export const USAGE_COLUMNS = [
  "day",
  "dimension",
  "name",
  "model",
  "requests",
  "errors",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "costUsd",
  "unpriced",
] as const;

/** Columns of the ledger entries export. */
export const ENTRY_COLUMNS = [
  "requestId",
  "at",
  "day",
  "user",
  "sid",
  "tid",
  "groups",
  "roles",
  "route",
  "model",
  "bedrockModel",
  "region",
  "stream",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "costUsd",
  "firstByteMs",
  "totalMs",
  "status",
  "outcome",
  "errorType",
  "estimated",
] as const;

/** Columns of the audit log export (`details` as JSON text; see `audit_response.ts`). */
export const AUDIT_COLUMNS = AUDIT_CSV_COLUMNS;

/** Default day range of queries without `from`: this many days up to today. */
const DEFAULT_DAYS = 7;

/**
 * Registers the admin routes on the gateway app. The page `GET /admin/`
 * (the usage dashboard) is public HTML; its data and every other route need
 * a ccgate access token (verified by `auth`, the gateway's authenticate
 * middleware) whose `roles` include `config.adminRole`, and every call is
 * written to the audit log before it is answered (allowed calls one record
 * each, a budget override change in the same KV commit as the change;
 * denied ones counted per caller, action and minute, see `audit_log.ts`).
 *
 * An admin whose `tid` is an admin tenant (`config.adminTenants`; every
 * admin when there is no tenant rule) sees every tenant. Any other admin
 * (see `adminTenantScope`, as the auth service's session admin API) sees
 * their own tenant only: usage, summary and entries are read from the
 * tenant's own roll-ups and entries (`UsageFilter.tenant`; entries rolled up
 * before ccgate recorded the tenant are in none), another tenant's user
 * answers empty (as a session list does), the policy of a user whose latest
 * request was in another tenant is a 404 (as another tenant's session is),
 * a `group` filter is a 400 on usage and summary (group roll-ups cover every
 * tenant; entries take it), and the routes that cover every tenant (the
 * audit log, budget overrides) are a 403, audited as denied; so is any route
 * for such an admin whose token has no `tid` (`AdminTenantUnknownError`, which
 * says so).
 *
 * - `GET /admin/api/me`: the caller's identity, roles, tenant and `tenants`
 *   (`"all"`, or `"own"`: the caller's tenant only).
 * - `GET /admin/api/usage?from&to&user|group&model&limit&after&format=json|csv`: daily
 *   rollups, a page of whole days at a time as JSON (`truncated`, `next`), streamed a day at a
 *   time as CSV (`usageResponse`).
 * - `GET /admin/api/entries?from&to&user&group&model&limit&after&format=json|csv`: ledger
 *   entries, a page at a time as JSON (`truncated`, `next`), streamed whole as CSV
 *   (`entriesResponse`).
 * - `GET /admin/api/summary?from&to&user|group&model`: what the dashboard draws, from the
 *   daily rollups (`readUsageSummary`).
 * - `GET /admin/audit?from&to&limit&after&decision&actor&format=json|csv` (also
 *   `/admin/api/audit`): the audit log, newest first, paged (`auditResponse`); admin
 *   tenants only.
 * - `GET /admin/api/policy?user`, `GET|PUT|DELETE /admin/api/budget-overrides[/:user]`:
 *   effective policy and budget overrides (`registerAdminPolicyRoutes`; overrides: admin
 *   tenants only).
 *
 * Costs (usage rows, the summary's totals, days, users and models) are
 * what the priced requests cost, with `unpriced` counting the others (their
 * model has no price in the policy; with no policy, none has): `costUsd` is
 * `null` (an empty CSV cell) when every request counted is unpriced, never a
 * 0 that would read as free (`knownCost`).
 *
 * Days are UTC `YYYY-MM-DD`, inclusive; the default range is the last 7
 * days. `user` and `group` together are a 400 on usage and summary (the
 * rollups are per user or per group). `model` takes a Bedrock id or a
 * catalogue name (`modelFilterIds`). (`/admin/sessions*` belongs to the auth service.)
 *
 * @param app The gateway app.
 * @param deps The gateway's dependencies; the admin API needs `ledger`.
 * @param auth The gateway's token verification middleware.
 */
export function registerAdminRoutes(app: Hono, deps: GatewayDeps, auth: MiddlewareHandler): void {
  app.get("/admin", (c) => c.redirect("/admin/", 301));
  app.get("/admin/", (c) =>
    c.html(DASHBOARD_HTML, 200, {
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    }));
  app.get("/admin/dashboard.js", (c) =>
    c.body(DASHBOARD_JS, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
    }));
  const ledger = deps.ledger;
  if (ledger === undefined) return;
  const kv: LedgerKv = ledger.kv;
  const audit = new AuditLog(ledger.kv);
  const role = deps.config.adminRole;

  // An admin outside the admin tenants reaches their own tenant: one their token must name.
  // A route that covers every tenant refuses them (`everyTenant`): audited as denied too.
  const admin: MiddlewareHandler = async function admin(c, next) {
    const claims = c.get("claims");
    const hasRole = claims.roles.includes(role);
    const scope = adminTenantScope(claims.tid, deps.config.adminTenants);
    const inTenant = scope.all || claims.tid !== undefined;
    if (hasRole && inTenant) {
      c.set("adminScope", scope);
      await next();
    }
    const allowed = hasRole && inTenant && !(c.error instanceof AdminTenantRequiredError);
    // A budget override change committed its own record with the change (`auditEntryOf`).
    if (!allowed || c.get("auditWritten") !== true) {
      await audit.write(auditRecordOf({
        at: deps.now(),
        requestId: c.get("requestId"),
        claims,
        req: c.req,
        allowed,
        status: c.res.status,
        details: c.get("auditDetails"),
      }));
    }
    if (!hasRole) throw new AdminRoleRequiredError(role);
    if (!inTenant) throw new AdminTenantUnknownError();
  };
  const auditEntryOf = (c: Context, details: Record<string, unknown>) =>
    audit.entryOf(auditRecordOf({
      at: deps.now(),
      requestId: c.get("requestId"),
      claims: c.get("claims"),
      req: c.req,
      allowed: true,
      status: 200,
      details,
    }));
  const everyTenant: MiddlewareHandler = async function everyTenant(c, next) {
    if (!c.get("adminScope").all) throw new AdminTenantRequiredError();
    await next();
  };

  const modelIds = modelFilterIds(deps);
  const filterOf = (c: Context): UsageFilter => {
    const today = dayOf(deps.now());
    const to = c.req.query("to") || today;
    const end = Date.parse(`${to}T00:00:00Z`);
    // An unparsable `to` leaves `from` equal to it, so the range check below refuses it (400).
    const from = c.req.query("from") ||
      (Number.isFinite(end) ? dayOf(new Date(end - (DEFAULT_DAYS - 1) * 86_400_000)) : to);
    if (daysIn(from, to) === undefined) {
      throw new InvalidRequestError(
        `Invalid day range "${from}".."${to}": use from/to as YYYY-MM-DD, from <= to, at most 366 days`,
      );
    }
    const opt = (name: string, max: number) =>
      boundedParam(name, c.req.query(name) || undefined, max);
    const model = opt("model", MAX_MODEL_CHARS);
    return {
      from,
      to,
      user: opt("user", MAX_ENTRY_TEXT),
      group: opt("group", MAX_ENTRY_TEXT),
      model,
      modelIds: modelIds(model),
      // `admin` let this caller in without a `tid` only when they see every tenant.
      tenant: c.get("adminScope").all ? undefined : c.get("claims").tid,
    };
  };

  app.use("/admin/api/*", auth, admin);
  app.use("/admin/audit", auth, admin);

  app.get("/admin/api/me", (c) => {
    const claims = c.get("claims");
    return c.json({
      user: claims.sub,
      name: claims.name,
      roles: claims.roles,
      groups: claims.groups,
      tid: claims.tid,
      tenants: c.get("adminScope").all ? "all" : "own",
    });
  });
  app.get("/admin/api/usage", (c) => usageResponse(c, kv, filterOf(c), USAGE_COLUMNS));
  app.get("/admin/api/entries", (c) => entriesResponse(c, kv, filterOf(c), ENTRY_COLUMNS));
  app.get("/admin/api/summary", async (c) => c.json(await readUsageSummary(kv, filterOf(c))));
  const auditRoute = (c: Context) =>
    auditResponse(audit, c.req.raw, deps.now, (message) => new InvalidRequestError(message));
  app.get("/admin/audit", everyTenant, auditRoute);
  app.get("/admin/api/audit", everyTenant, auditRoute);
  registerAdminPolicyRoutes(app, deps, kv, everyTenant, auditEntryOf);
}
