import type { PriceOf } from "../model_price.ts";
import type { PolicySubject } from "./effective_rules.ts";
import type { PolicyEngine } from "./policy_engine.ts";

/**
 * The gateway's dependencies with the seams a policy fills when they are not
 * given otherwise: the models list filter and the prices.
 *
 * @param deps The dependencies.
 * @param engine The policy engine.
 * @returns The same dependencies, `allowedModels` and `priceOf` filled in.
 */
export function policyDeps<T extends { allowedModels?: unknown; priceOf?: PriceOf }>(
  deps: T,
  engine: PolicyEngine,
): T {
  return {
    ...deps,
    allowedModels: deps.allowedModels ??
      ((subject: PolicySubject) => engine.allowedModels(subject)),
    priceOf: deps.priceOf ?? engine.priceOf,
  };
}
