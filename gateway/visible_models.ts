import type { AccessTokenClaims } from "@ccgate/client";
import type { GatewayDeps } from "./app.ts";
import { DEFAULT_MODEL_TABLE, type ListedModel, listModels } from "./model_map.ts";
import { liveModelValue } from "./model_options.ts";

/**
 * The models a user sees: what the deployment offers (the model table under
 * `CCGATE_MODEL_PREFIX`, the policy's catalogue, following policy reloads)
 * that the policy lets them use (`GatewayDeps.allowedModels`, all without a
 * policy). `GET /v1/models` lists them, `GET /claude-code/aliases` chooses
 * among them.
 *
 * @param deps The gateway's configuration, policy aliases and allowed models.
 * @returns The models of one user, in the table's order.
 *
 * @example
 * ```ts ignore
 * const visible = visibleModels(deps);
 * app.get("/v1/models", auth, (c) => c.json({ data: visible(c.get("claims")) }));
 * ```
 */
export function visibleModels(
  deps: Pick<GatewayDeps, "config" | "policyAliases" | "allowedModels">,
): (claims: AccessTokenClaims) => ListedModel[] {
  const offered = liveModelValue(
    deps.config,
    deps.policyAliases,
    (options) => listModels(DEFAULT_MODEL_TABLE, options),
  );
  return (claims) => {
    const allowed = deps.allowedModels?.(claims);
    return allowed === undefined ? offered() : offered().filter(allowed);
  };
}
