import { formatKeyPath } from "./format_key_path.ts";
import type { PolicyDocument, PolicyModel } from "./policy_schema.ts";

/**
 * Checks that catalogue entries listing the same Bedrock id agree, since an
 * id is one model whichever name asked for it: the same price (cache prices
 * after their defaults, and the same long-context tier, or none), and, where two entries give per-region ids for the
 * id, the same id in each region both name (what failover invokes). Pure.
 *
 * @param models The validated catalogue (`models`).
 * @returns `undefined` when they agree, else the key path of the second
 * entry's conflicting value and the problem.
 *
 * @example
 * ```ts
 * import { sharedIdConflict } from "./shared_id_conflict.ts";
 * const conflict = sharedIdConflict({
 *   sonnet: { bedrock: "eu.anthropic.claude-sonnet-4-6", price: { input: 3, output: 15 } },
 *   "sonnet-eu-team": { bedrock: "eu.anthropic.claude-sonnet-4-6", price: { input: 3, output: 16 } },
 * });
 * console.assert(conflict?.path === 'models["sonnet-eu-team"].price');
 * ```
 */
export function sharedIdConflict(
  models: PolicyDocument["models"],
): { path: string; message: string } | undefined {
  const first = new Map<string, [string, PolicyModel]>();
  for (const [name, model] of Object.entries(models)) {
    const ids = typeof model.bedrock === "string" ? [model.bedrock] : Object.values(model.bedrock);
    for (const id of new Set(ids)) {
      const seen = first.get(id);
      if (seen === undefined) {
        first.set(id, [name, model]);
        continue;
      }
      const [otherName, other] = seen;
      const shared = `which lists the same Bedrock id ${JSON.stringify(id)}`;
      if (_priceKey(other) !== _priceKey(model)) {
        return {
          path: formatKeyPath(["models", name, "price"]),
          message: `Differs from ${formatKeyPath(["models", otherName, "price"])}, ${shared}`,
        };
      }
      if (typeof model.bedrock === "string" || typeof other.bedrock === "string") continue;
      for (const [region, regional] of Object.entries(model.bedrock)) {
        if (Object.hasOwn(other.bedrock, region) && other.bedrock[region] !== regional) {
          return {
            path: formatKeyPath(["models", name, "bedrock", region]),
            message: `Differs from ${
              formatKeyPath(["models", otherName, "bedrock", region])
            }, ${shared}`,
          };
        }
      }
    }
  }
  return undefined;
}

/**
 * A price with its defaults filled in, comparable as text (to 12 digits:
 * `0.3` equals `3 × 0.1`), its long-context tier (if any) after it.
 */
function _priceKey(model: PolicyModel): string {
  const { long_context: long, ...base } = model.price;
  const tiers = long === undefined ? [base] : [base, long];
  return tiers.map((t) =>
    [
      t.input,
      t.output,
      t.cache_read ?? t.input * 0.1,
      t.cache_write ?? t.input * 1.25,
      t.cache_write_1h ?? t.input * 2,
    ].map((n) => n.toPrecision(12)).join(" ")
  ).join(" | ") + (long === undefined ? "" : ` above ${long.above_tokens}`);
}
