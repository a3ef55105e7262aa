import type { Context, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { GatewayDeps } from "../app.ts";
import { AdminUserNotFoundError, InvalidRequestError, RouteNotFoundError } from "../errors.ts";
import { dayOf, MAX_ENTRY_TEXT } from "../ledger/ledger_entry.ts";
import type { LedgerKv } from "../ledger/roll_up_entry.ts";
import { latestIdentity } from "../ledger/latest_identity.ts";
import { parseBody } from "../parse_body.ts";
import { readJsonBody } from "../read_json_body.ts";
import { boundedParam } from "./bounded_param.ts";
import { BUDGET_OVERRIDE_KEYS, type BudgetOverride, type KvWrite } from "./budget_overrides.ts";
import { withoutPoolCounters } from "./without_pool_counters.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** What an admin change applied, for the audit log. */
    auditDetails: Record<string, unknown>;
    /** Set when the route committed its own audit record with its change: the middleware writes none. */
    auditWritten: boolean;
  }
}

/**
 * The audit record of an admin change answered 200, as a KV write to commit
 * with the change (`AuditLog.entryOf`).
 *
 * @param c The request's context.
 * @param details What the change applied.
 * @returns The record's KV write.
 */
export type AuditEntryOf = (c: Context, details: Record<string, unknown>) => KvWrite;

/** Largest override body accepted (a few numbers, a date and a reason of at most 500 characters). */
const OVERRIDE_BODY_BYTES = 16 * 1024;

const limit = z.number().positive().nullable().optional();
const overrideBody = z.strictObject({
  /** US dollars per UTC day; `null` lifts the policy's limit. */
  daily_usd: limit,
  /** US dollars per UTC month. */
  monthly_usd: limit,
  /** Tokens per UTC day. */
  daily_tokens: z.number().int().positive().nullable().optional(),
  /** Tokens per UTC month. */
  monthly_tokens: z.number().int().positive().nullable().optional(),
  /** When it stops applying (ISO 8601); absent: until removed. */
  expires_at: z.iso.datetime({ offset: true }).optional(),
  /** Why. */
  reason: z.string().min(1).max(500),
});

/**
 * Registers the policy part of the admin API (behind the admin middleware
 * that `registerAdminRoutes` installs on `/admin/api/*`):
 *
 * - `GET /admin/api/policy?user=<sub>[&roles=a,b][&groups=x,y]`: the user's
 *   effective policy (budget overrides applied) with what is used of each
 *   limit now (`PolicyEngine.describe`: budgets' `spent` and `reserved` in the
 *   current day or month, `requests_per_minute[].used` over the sliding
 *   minute, `concurrent_streams[].in_flight`), as this instance knows it.
 *   Without `roles`/`groups`, those of the user's latest request in the
 *   ledger are used. For an admin who sees their own tenant only
 *   (`adminScope`), that latest request (within 31 days) must be of their
 *   tenant, else 404 `user_not_found`, whether the user is another tenant's or
 *   unknown (as the auth service answers another tenant's session); `roles`
 *   and `groups` are a 400 for them (they could name any group, and a
 *   group's pool counts every tenant's members), and the counters of the
 *   group pools in the answer are `null` (`withoutPoolCounters`). The answer's
 *   `group_pool_counters` says which: `shown` or `withheld`. While the policy
 *   file on disk is rejected (an edit that does not validate), the answer's
 *   `policy_file_rejected` says why (else `null`): the policy shown is the
 *   last one that validated.
 *
 * Budget overrides cover every tenant (they are per user, and raise or lift
 * what the gateway spends): `everyTenant` refuses them to other admins.
 *
 * - `GET /admin/api/budget-overrides`: every override.
 * - `PUT /admin/api/budget-overrides/:user`, JSON
 *   `{"daily_usd": 50, "monthly_tokens": null, "expires_at": "...", "reason": "..."}`:
 *   sets a user's override (a number replaces the policy's budget, `null`
 *   lifts it, a key left out keeps it). 400 when the gateway runs without a
 *   policy (nothing would enforce it) or `expires_at` is not in the future.
 * - `DELETE /admin/api/budget-overrides/:user`.
 *
 * @param app The gateway app.
 * @param deps The gateway's dependencies (`policy`, `budgetOverrides`, clock).
 * @param kv The ledger's KV (for the latest roles, groups and tenant of a user).
 * @param everyTenant Middleware refusing admins who do not see every tenant.
 * @param auditEntryOf The audit record of a change, committed with it (an override set or
 *   removed and its record are stored together or not at all; the admin middleware then
 *   writes no second record).
 */
export function registerAdminPolicyRoutes(
  app: Hono,
  deps: GatewayDeps,
  kv: LedgerKv,
  everyTenant: MiddlewareHandler,
  auditEntryOf: AuditEntryOf,
): void {
  const overrides = (c: Context) => {
    if (deps.budgetOverrides === undefined) throw new RouteNotFoundError(c.req.method, c.req.path);
    return deps.budgetOverrides;
  };
  const list = (v: string | undefined) =>
    v === undefined ? undefined : v.split(",").map((s) => s.trim()).filter((s) => s !== "");

  app.get("/admin/api/policy", async (c) => {
    const user = boundedParam("user", c.req.query("user"), MAX_ENTRY_TEXT);
    if (!user) throw new InvalidRequestError('Missing query parameter "user" (the user\'s sub)');
    let roles = list(c.req.query("roles"));
    let groups = list(c.req.query("groups"));
    let source = "query";
    const scope = c.get("adminScope");
    if (!scope.all && (roles !== undefined || groups !== undefined)) {
      // Naming groups would show the counters of any pool the policy defines, and a pool counts
      // every tenant's members: such an admin reads the groups of the user's own latest request.
      throw new InvalidRequestError(
        "roles, groups: an admin outside CCGATE_ADMIN_TENANTS cannot name them: a group's pool counts every tenant's members; leave them out to use those of the user's latest request in your tenant",
      );
    }
    if (!scope.all || roles === undefined || groups === undefined) {
      const seen = await latestIdentity(kv, user, dayOf(deps.now()));
      // Another tenant's user is answered like an unknown one: their existence is not disclosed.
      if (!scope.covers(seen?.tid)) throw new AdminUserNotFoundError(user);
      if (roles === undefined || groups === undefined) {
        source = seen === undefined ? "none" : `ledger (request at ${seen.at})`;
        roles ??= seen?.roles ?? [];
        groups ??= seen?.groups ?? [];
      }
    }
    const override = deps.budgetOverrides?.active(user) ?? null;
    if (deps.policy === undefined) {
      return c.json({ user, roles, groups, source, policy: null, override });
    }
    const policy = await deps.policy.describe({ sub: user, roles, groups });
    // An edit of the file that did not validate changes nothing: say so, or the admin checking it
    // reads the previous policy as if it were theirs.
    const problem = deps.policy.fileProblem;
    const policyFile = problem === undefined
      ? null
      : `${problem} (the policy shown, still in force, is the last version of the file that validated)`;
    if (scope.all) {
      return c.json({
        user,
        roles,
        groups,
        source,
        policy,
        policy_file_rejected: policyFile,
        group_pool_counters: "shown",
        override,
      });
    }
    return c.json({
      user,
      roles,
      groups,
      source,
      policy: withoutPoolCounters(policy),
      policy_file_rejected: policyFile,
      group_pool_counters: "withheld",
      override,
    });
  });

  app.get(
    "/admin/api/budget-overrides",
    everyTenant,
    (c) => c.json({ data: overrides(c).list() }),
  );

  app.put("/admin/api/budget-overrides/:user", everyTenant, async (c: Context) => {
    const store = overrides(c);
    const user = boundedParam("user", c.req.param("user")!, MAX_ENTRY_TEXT);
    if (deps.policy === undefined) {
      // Without a policy nothing counts or limits spending (and no catalogue prices it): the
      // override would be stored and silently do nothing.
      throw new InvalidRequestError(
        "Budget overrides need a policy: this gateway runs without one (CCGATE_POLICY is not set), so no budget is enforced and an override would have no effect",
      );
    }
    const body = parseBody(
      overrideBody,
      (await readJsonBody(c.req.raw, OVERRIDE_BODY_BYTES)).value,
    );
    const now = deps.now();
    if (body.expires_at !== undefined && Date.parse(body.expires_at) <= now.getTime()) {
      throw new InvalidRequestError(
        `expires_at: ${body.expires_at} is not in the future (now: ${now.toISOString()})`,
      );
    }
    const budgets: BudgetOverride["budgets"] = {};
    for (const [key] of BUDGET_OVERRIDE_KEYS) {
      if (body[key] !== undefined) budgets[key] = body[key];
    }
    if (Object.keys(budgets).length === 0) {
      throw new InvalidRequestError(
        "Set at least one of daily_usd, monthly_usd, daily_tokens, monthly_tokens",
      );
    }
    const override: BudgetOverride = {
      user,
      budgets,
      expiresAt: body.expires_at === undefined ? null : new Date(body.expires_at).toISOString(),
      reason: body.reason,
      setBy: c.get("claims").sub,
      setAt: now.toISOString(),
    };
    const details = { user, budgets, expiresAt: override.expiresAt, reason: body.reason };
    c.set("auditDetails", details);
    // The override and its audit record are committed together: neither stands without the other.
    await store.set(override, auditEntryOf(c, details));
    c.set("auditWritten", true);
    return c.json(override);
  });

  app.delete("/admin/api/budget-overrides/:user", everyTenant, async (c) => {
    const user = boundedParam("user", c.req.param("user")!, MAX_ENTRY_TEXT);
    const removed = await overrides(c).remove(user, (removed) => {
      c.set("auditDetails", { user, removed });
      return auditEntryOf(c, { user, removed });
    });
    c.set("auditWritten", true);
    return c.json({ user, removed });
  });
}
