import type { GatewayConfig } from "../config.ts";
import { DEFAULT_MODEL_TABLE, resolveModel } from "../model_map.ts";
import { type LiveAliases, liveModelOptions } from "../model_options.ts";

/**
 * How the admin API's `model` filter reads a name: the ledger keeps the
 * Bedrock id a request called (or the requested name when none was
 * resolved), so a catalogue name (`claude-sonnet-4-5`, a policy or
 * `CCGATE_MODELS` alias) also matches the id it resolves to now, with the
 * same rules as `/v1/messages` (following policy reloads). A name that no
 * longer resolves, or resolved to another id when the request was made,
 * matches only itself.
 *
 * @param deps The gateway's configuration and the policy's live aliases.
 * @returns For a filter value, the other ids it matches (`undefined` for none).
 *
 * @example
 * ```ts
 * import { loadGatewayConfig } from "../config.ts";
 * import { modelFilterIds } from "./model_filter_ids.ts";
 * const ids = modelFilterIds({ config: loadGatewayConfig({}) });
 * console.assert(ids("claude-sonnet-4-5-20250929")?.[0]?.includes("anthropic.claude") === true);
 * ```
 */
export function modelFilterIds(
  deps: { config: GatewayConfig; policyAliases?: LiveAliases },
): (model: string | undefined) => string[] | undefined {
  const options = liveModelOptions(deps.config, deps.policyAliases);
  return function ids(model) {
    if (model === undefined) return undefined;
    try {
      const id = resolveModel(model, DEFAULT_MODEL_TABLE, options());
      return id === model ? undefined : [id];
    } catch {
      return undefined; // Not a name this deployment maps: a Bedrock id or a retired name.
    }
  };
}
