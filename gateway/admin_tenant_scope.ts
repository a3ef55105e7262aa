/**
 * Which tenants an administrator may act on: the one rule of the gateway's
 * admin API (`/admin/api/*`) and the auth service's session admin API
 * (`/admin/sessions`).
 *
 * App roles of a multi-tenant app registration are granted by each tenant's
 * own administrators, so holding `CCGATE_ADMIN_ROLE` only says something
 * about the caller's own tenant. An admin whose token's `tid` is one of the
 * admin tenants (`CCGATE_ADMIN_TENANTS`, default the first tenant of
 * `ENTRA_TENANT_ID`) reaches every tenant; any other admin reaches only
 * their own tenant's users. With one allowlisted tenant every admin is in
 * the admin tenant, so nothing is restricted.
 *
 * @module
 */

/** What an admin may reach. */
export interface AdminTenantScope {
  /** Whether the admin reaches every tenant (a member of an admin tenant, or no tenant rule). */
  all: boolean;
  /**
   * Whether the admin may act on a user or session of tenant `tid`.
   *
   * @param tid The tenant of the user or session; `undefined` when unknown (never covered unless `all`).
   */
  covers(tid: string | undefined): boolean;
}

/** Tenant ids are GUIDs or domain names: compared without case, like the allowlist. */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The scope of an admin whose ccgate access token has tenant `adminTid`.
 *
 * @param adminTid The admin token's `tid` claim (`undefined` if it has none: their own tenant is then unknown).
 * @param adminTenants Tenants whose admins reach every tenant; `undefined` when no tenant rule is
 *   configured (every admin reaches everything, as with a single tenant).
 * @returns The scope.
 *
 * @example
 * ```ts
 * const scope = adminTenantScope("tenant-b", ["tenant-a"]);
 * scope.all; // false
 * scope.covers("tenant-b"); // true
 * scope.covers("tenant-a"); // false
 * ```
 */
export function adminTenantScope(
  adminTid: string | undefined,
  adminTenants: readonly string[] | undefined,
): AdminTenantScope {
  const all = reachesEveryTenant(adminTid, adminTenants);
  return {
    all,
    covers: (tid) => all || (adminTid !== undefined && tid !== undefined && same(tid, adminTid)),
  };
}

/**
 * Whether an admin of tenant `tid` reaches every tenant: {@linkcode
 * adminTenantScope}'s `all`, without building the scope (the usage ledger
 * asks it of every entry's tenant: those that do not reach every tenant get
 * roll-ups of their own).
 *
 * @param tid A tenant id (`undefined`: unknown).
 * @param adminTenants Tenants whose admins reach every tenant; `undefined` when no tenant rule.
 * @returns Whether that tenant's admins reach every tenant.
 *
 * @example
 * ```ts
 * console.assert(reachesEveryTenant("Tenant-A", ["tenant-a"]));
 * console.assert(!reachesEveryTenant("tenant-b", ["tenant-a"]));
 * console.assert(reachesEveryTenant("tenant-b", undefined));
 * ```
 */
export function reachesEveryTenant(
  tid: string | undefined,
  adminTenants: readonly string[] | undefined,
): boolean {
  return adminTenants === undefined ||
    (tid !== undefined && adminTenants.some((t) => same(t, tid)));
}
