import type { GatewayConfig } from "./config.ts";
import { DEFAULT_FALLBACK_RULE, type ResolveModelOptions } from "./model_map.ts";

/** Model aliases that can change while the gateway runs (the policy file's, across reloads). */
export interface LiveAliases {
  /** The aliases in force: model name → Bedrock model id or inference profile. */
  readonly current: Readonly<Record<string, string>>;
}

/**
 * The model resolution options of a deployment, from its configuration: the
 * same rules `/v1/messages` applies, for the routes added beside it.
 *
 * @param config Validated gateway configuration.
 * @param policyAliases Aliases from the policy file; `CCGATE_MODELS` wins over them.
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
export function modelOptions(
  config: GatewayConfig,
  policyAliases?: Readonly<Record<string, string>>,
): ResolveModelOptions {
  return {
    prefix: config.modelPrefix,
    aliases: policyAliases === undefined
      ? config.modelAliases
      : { ...policyAliases, ...config.modelAliases },
    allowRawIds: config.allowRawModelIds,
    fallback: config.modelFallback === false ? false : {
      ...DEFAULT_FALLBACK_RULE,
      template: config.modelFallback ?? DEFAULT_FALLBACK_RULE.template,
    },
  };
}

/**
 * A value derived from the model options, rebuilt only when the policy's
 * aliases change (a policy reload), so a route reads it on every request at
 * no cost and a reload applies without a restart.
 *
 * @param config Validated gateway configuration.
 * @param policyAliases The policy file's aliases, followed across reloads.
 * @param derive Builds the value (the options themselves, a model list...).
 * @returns The current value.
 *
 * @example
 * ```ts
 * import { loadGatewayConfig } from "./config.ts";
 * import { liveModelValue, modelOptions } from "./model_options.ts";
 * const aliases = { current: { fast: "us.anthropic.claude-haiku-4-5-20251001-v1:0" } };
 * const options = liveModelValue(loadGatewayConfig({}), aliases, (o) => o);
 * console.assert(options().aliases?.fast !== undefined);
 * aliases.current = { quick: "us.anthropic.claude-haiku-4-5-20251001-v1:0" };
 * console.assert(options().aliases?.quick !== undefined && options().aliases?.fast === undefined);
 * ```
 */
export function liveModelValue<T>(
  config: GatewayConfig,
  policyAliases: LiveAliases | undefined,
  derive: (options: ResolveModelOptions) => T,
): () => T {
  let seen = policyAliases?.current;
  let value = derive(modelOptions(config, seen));
  return () => {
    const now = policyAliases?.current;
    if (now !== seen) {
      seen = now;
      value = derive(modelOptions(config, now));
    }
    return value;
  };
}

/**
 * The model options, following policy reloads: {@linkcode liveModelValue}
 * of the options themselves.
 *
 * @param config Validated gateway configuration.
 * @param policyAliases The policy file's aliases, followed across reloads.
 * @returns The current options.
 */
export function liveModelOptions(
  config: GatewayConfig,
  policyAliases: LiveAliases | undefined,
): () => ResolveModelOptions {
  return liveModelValue(config, policyAliases, (options) => options);
}
