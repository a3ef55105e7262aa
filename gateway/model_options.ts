import type { GatewayConfig } from "./config.ts";
import { DEFAULT_FALLBACK_RULE, type ResolveModelOptions } from "./model_map.ts";

/**
 * The model resolution options of a deployment, from its configuration: the
 * same rules `/v1/messages` applies, for the routes added beside it.
 *
 * @param config Validated gateway configuration.
 * @returns Options for `resolveModel` and `listModels`.
 *
 * @example
 * ```ts
 * import { loadGatewayConfig } from "./config.ts";
 * import { modelOptions } from "./model_options.ts";
 * const options = modelOptions(loadGatewayConfig({ CCGATE_MODEL_PREFIX: "eu" }));
 * console.assert(options.prefix === "eu");
 * ```
 */
export function modelOptions(config: GatewayConfig): ResolveModelOptions {
  return {
    prefix: config.modelPrefix,
    aliases: config.modelAliases,
    allowRawIds: config.allowRawModelIds,
    fallback: config.modelFallback === false ? false : {
      ...DEFAULT_FALLBACK_RULE,
      template: config.modelFallback ?? DEFAULT_FALLBACK_RULE.template,
    },
  };
}
