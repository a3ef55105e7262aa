import type { CompiledPolicy } from "../policy/compile_policy.ts";
import type { BudgetLimit, EffectiveRules } from "../policy/effective_rules.ts";

/** The budget keys an override may set (as in the policy file's `budgets`). */
export const BUDGET_OVERRIDE_KEYS = [
  ["daily_usd", "daily", "usd"],
  ["monthly_usd", "monthly", "usd"],
  ["daily_tokens", "daily", "tokens"],
  ["monthly_tokens", "monthly", "tokens"],
] as const;

/** A budget key of {@linkcode BUDGET_OVERRIDE_KEYS}. */
export type BudgetOverrideKey = typeof BUDGET_OVERRIDE_KEYS[number][0];

/** An admin's override of one user's own budgets (group pools are untouched). */
export interface BudgetOverride {
  /** The user (`sub`). */
  user: string;
  /** New limits: a number replaces the policy's, `null` lifts it; a key left out keeps the policy's. */
  budgets: Partial<Record<BudgetOverrideKey, number | null>>;
  /** When the override stops applying, ISO 8601; `null`: until removed. */
  expiresAt: string | null;
  /** Why (shown in the effective policy and the audit log). */
  reason: string;
  /** Who set it (the admin's `sub`). */
  setBy: string;
  /** When, ISO 8601. */
  setAt: string;
}

/** One KV write, committed with a change (see {@linkcode BudgetOverrides.set}). */
export interface KvWrite {
  /** Its key. */
  key: Deno.KvKey;
  /** Its value. */
  value: unknown;
}

/** Key prefix: `["policy", "budget_override", user]`. */
export const OVERRIDE_PREFIX: Deno.KvKey = ["policy", "budget_override"];

/**
 * Admin budget overrides, kept in KV (shared by every instance) and in
 * memory (read on the hot path): {@linkcode BudgetOverrides.refresh} reloads
 * them from KV (at start and on an interval); a change through this
 * instance applies here at once. {@linkcode withBudgetOverrides} applies
 * them to a policy.
 */
export class BudgetOverrides {
  readonly #kv: Pick<Deno.Kv, "get" | "list" | "atomic">;
  readonly #now: () => Date;
  #byUser = new Map<string, BudgetOverride>();
  #version = 0;
  #localChanges = 0;

  /**
   * @param kv The KV store.
   * @param now The clock (expiry).
   */
  constructor(kv: Pick<Deno.Kv, "get" | "list" | "atomic">, now: () => Date) {
    this.#kv = kv;
    this.#now = now;
  }

  /** Changes with every update: lets policies built on the overrides be cached. */
  get version(): number {
    return this.#version;
  }

  /**
   * Reloads every override from KV. A change made through this instance
   * while the list was read is never undone by it: the list is read again.
   */
  async refresh(): Promise<void> {
    for (;;) {
      const changes = this.#localChanges;
      const next = new Map<string, BudgetOverride>();
      for await (const item of this.#kv.list<BudgetOverride>({ prefix: OVERRIDE_PREFIX })) {
        next.set(item.value.user, item.value);
      }
      // The list may predate a set() or remove() committed meanwhile: read it again.
      if (changes !== this.#localChanges) continue;
      this.#byUser = next;
      this.#version++;
      return;
    }
  }

  /**
   * The override of a user in force now, if any.
   *
   * @param user The user.
   * @returns The override, or `undefined` (none, or expired).
   */
  active(user: string): BudgetOverride | undefined {
    const o = this.#byUser.get(user);
    if (o === undefined) return undefined;
    if (o.expiresAt !== null && Date.parse(o.expiresAt) <= this.#now().getTime()) return undefined;
    return o;
  }

  /** Every override (expired ones included), by user. */
  list(): BudgetOverride[] {
    return [...this.#byUser.values()].sort((a, b) => a.user.localeCompare(b.user));
  }

  /**
   * Sets (replaces) a user's override.
   *
   * @param override The override.
   * @param record A KV write committed in the same atomic operation (the change's audit
   *   record: both are stored or neither).
   */
  async set(override: BudgetOverride, record?: KvWrite): Promise<void> {
    const op = this.#kv.atomic().set([...OVERRIDE_PREFIX, override.user], override);
    if (record !== undefined) op.set(record.key, record.value);
    await op.commit();
    this.#byUser.set(override.user, override);
    this.#version++;
    this.#localChanges++;
  }

  /**
   * Removes a user's override.
   *
   * @param user The user.
   * @param record Builds a KV write committed in the same atomic operation, from whether there
   *   was an override (the change's audit record: both happen or neither).
   * @returns Whether there was one.
   */
  async remove(user: string, record?: (removed: boolean) => KvWrite): Promise<boolean> {
    const key = [...OVERRIDE_PREFIX, user];
    // Checked against what was read, so `removed` (and its audit record) says what was deleted.
    for (;;) {
      const existing = await this.#kv.get(key);
      const had = this.#byUser.has(user) || existing.value !== null;
      const op = this.#kv.atomic().check(existing).delete(key);
      if (record !== undefined) {
        const { key: recordKey, value } = record(had);
        op.set(recordKey, value);
      }
      if (!(await op.commit()).ok) continue;
      this.#byUser.delete(user);
      this.#version++;
      this.#localChanges++;
      return had;
    }
  }
}

/**
 * A user's effective rules with an override applied: each budget key the
 * override names replaces (or, with `null`, removes) the user's own budget of
 * that period and unit, naming the override as its rule. Pure.
 *
 * @param rules The policy's effective rules.
 * @param override The override (or none).
 * @returns The rules to enforce.
 *
 * @example
 * ```ts
 * import { applyBudgetOverride } from "./budget_overrides.ts";
 * const rules = applyBudgetOverride(
 *   { models: { allowed: "all", rules: [] }, rate: [], tokenRate: [], concurrency: [], budgets: [] },
 *   { user: "u", budgets: { daily_usd: 50 }, expiresAt: null, reason: "launch", setBy: "a", setAt: "" },
 * );
 * console.assert(rules.budgets[0]?.limit === 50 && rules.budgets[0]?.scope === "user:u");
 * ```
 */
export function applyBudgetOverride(
  rules: EffectiveRules,
  override: BudgetOverride | undefined,
): EffectiveRules {
  if (override === undefined) return rules;
  const scope = `user:${override.user}`;
  let budgets: BudgetLimit[] = [...rules.budgets];
  for (const [key, period, unit] of BUDGET_OVERRIDE_KEYS) {
    if (!Object.hasOwn(override.budgets, key)) continue;
    const limit = override.budgets[key];
    budgets = budgets.filter((b) => !(b.per === "user" && b.period === period && b.unit === unit));
    if (typeof limit === "number") {
      budgets.unshift({
        limit,
        rule: `admin budget override of ${key} (set by ${override.setBy} at ${override.setAt})`,
        scope,
        per: "user",
        period,
        unit,
      });
    }
  }
  return { ...rules, budgets };
}

/**
 * A policy holder (a `PolicyFile`) whose policy applies the budget
 * overrides: what the `PolicyEngine` is given, so admission and the
 * effective-policy view both see them. The wrapped policy is rebuilt only
 * when the file or the overrides change; the rules of one user are patched
 * once per (rules, overrides version).
 *
 * @param holder The policy holder.
 * @param overrides The overrides.
 * @returns A holder of the overridden policy.
 */
export function withBudgetOverrides(
  holder: { readonly current: CompiledPolicy },
  overrides: BudgetOverrides,
): { readonly current: CompiledPolicy } {
  let base: CompiledPolicy | undefined;
  let version = -1;
  let wrapped: CompiledPolicy | undefined;
  return {
    get current(): CompiledPolicy {
      const inner = holder.current;
      if (inner === base && overrides.version === version && wrapped !== undefined) return wrapped;
      base = inner;
      version = overrides.version;
      const patched = new WeakMap<EffectiveRules, EffectiveRules>();
      wrapped = {
        document: inner.document,
        modelOf: (id) => inner.modelOf(id),
        priceOf: (id) => inner.priceOf(id),
        aliases: (region) => inner.aliases(region),
        rulesFor(subject) {
          const rules = inner.rulesFor(subject);
          const override = overrides.active(subject.sub);
          if (override === undefined) return rules;
          let out = patched.get(rules);
          if (out === undefined) patched.set(rules, out = applyBudgetOverride(rules, override));
          return out;
        },
      };
      return wrapped;
    },
  };
}
