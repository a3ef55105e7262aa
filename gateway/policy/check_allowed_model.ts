import { ModelNotAllowedError } from "../errors.ts";
import type { CatalogueModel, CompiledPolicy } from "./compile_policy.ts";
import type { EffectiveRules } from "./effective_rules.ts";

/**
 * The model allowlist of a user's rules (`PolicyEngine.checkModel` and
 * admission): the Bedrock id must be one the catalogue lists, and one of the
 * catalogue names listing it must be allowed. Pure.
 *
 * @param policy The policy in force.
 * @param rules The user's effective rules.
 * @param modelId The Bedrock id the request would invoke.
 * @param requested The model name the client sent, for the message.
 * @returns The catalogue model (names and price).
 * @throws {ModelNotAllowedError} 403 naming the model and the rule.
 *
 * @example
 * ```ts
 * import { compilePolicy } from "./compile_policy.ts";
 * import { checkAllowedModel } from "./check_allowed_model.ts";
 * const policy = compilePolicy({
 *   models: { sonnet: { bedrock: "eu.anthropic.claude-sonnet-4-6", price: { input: 3, output: 15 } } },
 * });
 * const rules = policy.rulesFor({ sub: "u", roles: [], groups: [] });
 * console.assert(checkAllowedModel(policy, rules, "eu.anthropic.claude-sonnet-4-6", "sonnet").names[0] === "sonnet");
 * ```
 */
export function checkAllowedModel(
  policy: CompiledPolicy,
  rules: EffectiveRules,
  modelId: string,
  requested: string | undefined,
): CatalogueModel {
  const shown = JSON.stringify(requested ?? modelId);
  const model = policy.modelOf(modelId);
  if (model === undefined) {
    throw new ModelNotAllowedError(
      `Model ${shown} is not allowed: it is not in the gateway policy's model catalogue (rule: models)`,
    );
  }
  const { allowed, rules: from } = rules.models;
  if (!allowsModel(allowed, model)) {
    throw new ModelNotAllowedError(
      `Model ${shown} is not allowed for you (rule: ${from.join(", ")}; allowed: ${
        [...allowed].join(", ") || "none"
      })`,
    );
  }
  return model;
}

/**
 * Whether an allowlist admits a catalogue id: any catalogue name listing it
 * is allowed. Pure.
 *
 * @param allowed Allowed catalogue names, or `all`.
 * @param model The catalogue entries of the id.
 * @returns Whether the id is allowed.
 *
 * @example
 * ```ts
 * import { allowsModel } from "./check_allowed_model.ts";
 * const model = { names: ["sonnet", "sonnet-eu-team"], price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 } };
 * console.assert(allowsModel(new Set(["sonnet-eu-team"]), model));
 * ```
 */
export function allowsModel(allowed: ReadonlySet<string> | "all", model: CatalogueModel): boolean {
  return allowed === "all" || model.names.some((name) => allowed.has(name));
}
