import { formatKeyPath } from "./format_key_path.ts";
import type { PolicyBudgets, PolicyDocument, PolicyRules } from "./policy_schema.ts";

/** Who is asking: the access token's `sub`, `roles` and `groups`. */
export interface PolicySubject {
  /** The user (`sub`). */
  sub: string;
  /** App roles (`roles` claim). */
  roles: readonly string[];
  /** Groups (`groups` claim). */
  groups: readonly string[];
}

/** A numeric limit and the rule (key path in the policy file) that set it. */
export interface RuleLimit {
  /** The limit. */
  limit: number;
  /** Key path of the rule, e.g. `groups.eng.requests_per_minute`. */
  rule: string;
}

/** A limit on a counter scope: one user (`user:<sub>`) or one group's pool (`group:<name>`). */
export interface ScopedLimit extends RuleLimit {
  /** Counter scope. */
  scope: string;
  /** Whose limit it is, for messages. */
  per: "user" | "group";
}

/** A budget: a limit on spent US dollars or tokens per UTC day or month. */
export interface BudgetLimit extends ScopedLimit {
  /** Reset period (UTC). */
  period: "daily" | "monthly";
  /** What is counted. */
  unit: "usd" | "tokens";
}

/** Everything the policy says about one user. */
export interface EffectiveRules {
  /** Allowed model names (policy catalogue names), or `all`, and the rules that said so. */
  models: { allowed: ReadonlySet<string> | "all"; rules: string[] };
  /** Largest `max_tokens` and what to do above it; absent: no limit. */
  maxTokens?: RuleLimit & { mode: "cap" | "refuse" };
  /** Requests-per-minute limits: the user's own, then each group pool's. */
  rate: ScopedLimit[];
  /** Input-tokens-per-minute limits: the user's own, then each group pool's. */
  tokenRate: ScopedLimit[];
  /** Concurrent-request limits: the user's own, then each group pool's. */
  concurrency: ScopedLimit[];
  /** Budgets: the user's own, then each group pool's. */
  budgets: BudgetLimit[];
}

const BUDGET_KEYS = [
  ["daily_usd", "daily", "usd"],
  ["monthly_usd", "monthly", "usd"],
  ["daily_tokens", "daily", "tokens"],
  ["monthly_tokens", "monthly", "tokens"],
] as const;

type _Source = { path: PropertyKey[]; rules: PolicyRules };

/**
 * What the policy says about one user. Per-user values come, in order of
 * precedence, from `users.<sub>`, else the most permissive of the user's
 * matching `roles` and `groups` (`null`, meaning no limit, beats any number;
 * allowed models are the union), else `defaults`, else no limit (and every
 * catalogue model). Each group the user is in that has a `pool` adds the
 * pool's limits on top, counted for the whole group. Pure.
 *
 * @param policy The validated policy.
 * @param subject The user, roles and groups from the access token.
 * @returns The effective rules, each limit naming its rule.
 *
 * @example
 * ```ts
 * import { effectiveRules } from "./effective_rules.ts";
 * const rules = effectiveRules(
 *   { models: {}, defaults: { requests_per_minute: 10 }, groups: { eng: { requests_per_minute: 60 } } },
 *   { sub: "u1", roles: [], groups: ["eng"] },
 * );
 * console.assert(rules.rate[0]!.limit === 60 && rules.rate[0]!.rule === "groups.eng.requests_per_minute");
 * ```
 */
export function effectiveRules(policy: PolicyDocument, subject: PolicySubject): EffectiveRules {
  const user = Object.hasOwn(policy.users ?? {}, subject.sub)
    ? { path: ["users", subject.sub], rules: policy.users![subject.sub]! }
    : undefined;
  const matched: _Source[] = [];
  for (const role of subject.roles) {
    if (Object.hasOwn(policy.roles ?? {}, role)) {
      matched.push({ path: ["roles", role], rules: policy.roles![role]! });
    }
  }
  for (const group of subject.groups) {
    if (Object.hasOwn(policy.groups ?? {}, group)) {
      matched.push({ path: ["groups", group], rules: policy.groups![group]! });
    }
  }
  const defaults = policy.defaults === undefined
    ? undefined
    : { path: ["defaults"], rules: policy.defaults };

  const pick = (read: (r: PolicyRules) => number | null | undefined, key: PropertyKey[]) =>
    _pick(user, matched, defaults, read, key);
  const userScope = `user:${subject.sub}`;
  const own = (
    limit: RuleLimit | undefined,
  ): ScopedLimit[] => limit === undefined ? [] : [{ ...limit, scope: userScope, per: "user" }];

  const out: EffectiveRules = {
    models: _models(user, matched, defaults),
    rate: own(pick((r) => r.requests_per_minute, ["requests_per_minute"])),
    tokenRate: own(pick((r) => r.tokens_per_minute, ["tokens_per_minute"])),
    concurrency: own(pick((r) => r.concurrent_streams, ["concurrent_streams"])),
    budgets: [],
  };
  const maxTokens = pick((r) => r.max_tokens, ["max_tokens"]);
  if (maxTokens !== undefined) {
    const from = [user, ...matched, defaults].find((s) =>
      s !== undefined && formatKeyPath([...s.path, "max_tokens"]) === maxTokens.rule
    );
    out.maxTokens = {
      ...maxTokens,
      mode: from?.rules.max_tokens_mode ?? defaults?.rules.max_tokens_mode ?? "refuse",
    };
  }
  for (const [key, period, unit] of BUDGET_KEYS) {
    const limit = pick((r) => r.budgets?.[key], ["budgets", key]);
    if (limit !== undefined) {
      out.budgets.push({ ...limit, scope: userScope, per: "user", period, unit });
    }
  }
  for (const group of new Set(subject.groups)) {
    const pool = Object.hasOwn(policy.groups ?? {}, group)
      ? policy.groups![group]!.pool
      : undefined;
    if (pool === undefined) continue;
    const scope = `group:${group}`;
    const at = (...key: PropertyKey[]) => formatKeyPath(["groups", group, "pool", ...key]);
    if (typeof pool.requests_per_minute === "number") {
      out.rate.push({
        limit: pool.requests_per_minute,
        rule: at("requests_per_minute"),
        scope,
        per: "group",
      });
    }
    if (typeof pool.tokens_per_minute === "number") {
      out.tokenRate.push({
        limit: pool.tokens_per_minute,
        rule: at("tokens_per_minute"),
        scope,
        per: "group",
      });
    }
    if (typeof pool.concurrent_streams === "number") {
      out.concurrency.push({
        limit: pool.concurrent_streams,
        rule: at("concurrent_streams"),
        scope,
        per: "group",
      });
    }
    for (const [key, period, unit] of BUDGET_KEYS) {
      const limit = (pool.budgets as PolicyBudgets | undefined)?.[key];
      if (typeof limit === "number") {
        out.budgets.push({ limit, rule: at("budgets", key), scope, per: "group", period, unit });
      }
    }
  }
  return out;
}

function _pick(
  user: _Source | undefined,
  matched: _Source[],
  defaults: _Source | undefined,
  read: (r: PolicyRules) => number | null | undefined,
  key: PropertyKey[],
): RuleLimit | undefined {
  const limit = (s: _Source, v: number | null) =>
    v === null ? undefined : { limit: v, rule: formatKeyPath([...s.path, ...key]) };
  if (user !== undefined) {
    const v = read(user.rules);
    if (v !== undefined) return limit(user, v);
  }
  let best: { source: _Source; value: number | null } | undefined;
  for (const s of matched) {
    const v = read(s.rules);
    if (v === undefined) continue;
    if (v === null) return undefined;
    if (best === undefined || (best.value !== null && v > best.value)) {
      best = { source: s, value: v };
    }
  }
  if (best !== undefined) return limit(best.source, best.value);
  if (defaults !== undefined) {
    const v = read(defaults.rules);
    if (v !== undefined) return limit(defaults, v);
  }
  return undefined;
}

function _models(
  user: _Source | undefined,
  matched: _Source[],
  defaults: _Source | undefined,
): EffectiveRules["models"] {
  const from = (sources: _Source[]): EffectiveRules["models"] => {
    const names = new Set<string>();
    for (const s of sources) for (const m of s.rules.models ?? []) names.add(m);
    return {
      allowed: names.has("*") ? "all" : names,
      rules: sources.map((s) => formatKeyPath([...s.path, "models"])),
    };
  };
  if (user?.rules.models !== undefined) return from([user]);
  const setting = matched.filter((s) => s.rules.models !== undefined);
  if (setting.length > 0) return from(setting);
  if (defaults?.rules.models !== undefined) return from([defaults]);
  return { allowed: "all", rules: [] };
}
