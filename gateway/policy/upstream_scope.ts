import type { PolicyDocument } from "./policy_schema.ts";

/**
 * Whether an admitted request may be sent to a region × Bedrock id: what
 * `FailoverBedrock` asks of every upstream it would try (the first one
 * included) when a policy is in force.
 */
export type UpstreamScope = (region: string, modelId: string) => boolean;

const SCOPES = new WeakMap<PolicyDocument, Map<string, UpstreamScope>>();

/**
 * The upstreams the catalogue entries that admitted a request allow: an
 * entry with one id (`bedrock: eu.anthropic.x`) allows exactly that id, in
 * any region; an entry with per-region ids allows each region's own id, in
 * that region only. Another inference profile of the same model
 * (`global.`, `us.`, `apac.`, the bare `anthropic.`) or a region the entry
 * does not list is outside the scope, so failover cannot take an admitted
 * request out of the geography the admin chose (data residency). Several
 * entries (names) listing the admitted id each add what they allow. Pure;
 * built once per policy document and set of names.
 *
 * @param document The policy that admitted the request.
 * @param names The catalogue names that admitted it (those listing its id that the user may use).
 * @returns The scope.
 *
 * @example
 * ```ts
 * import { upstreamScope } from "./upstream_scope.ts";
 * const document = {
 *   models: {
 *     sonnet: { bedrock: "eu.anthropic.claude-sonnet-4-6", price: { input: 3, output: 15 } },
 *   },
 * };
 * const scope = upstreamScope(document, ["sonnet"]);
 * console.assert(scope("eu-west-1", "eu.anthropic.claude-sonnet-4-6"));
 * console.assert(!scope("eu-west-1", "global.anthropic.claude-sonnet-4-6"));
 * ```
 */
export function upstreamScope(document: PolicyDocument, names: readonly string[]): UpstreamScope {
  let scopes = SCOPES.get(document);
  if (scopes === undefined) {
    scopes = new Map();
    SCOPES.set(document, scopes);
  }
  const key = names.join("\n");
  let scope = scopes.get(key);
  if (scope === undefined) {
    scope = _scopeOf(document, names);
    scopes.set(key, scope);
  }
  return scope;
}

function _scopeOf(document: PolicyDocument, names: readonly string[]): UpstreamScope {
  const anywhere = new Set<string>();
  const regional = new Map<string, Set<string>>();
  for (const name of names) {
    const model = Object.hasOwn(document.models, name) ? document.models[name] : undefined;
    if (model === undefined) continue;
    if (typeof model.bedrock === "string") {
      anywhere.add(model.bedrock);
      continue;
    }
    for (const [region, id] of Object.entries(model.bedrock)) {
      const ids = regional.get(region) ?? new Set();
      ids.add(id);
      regional.set(region, ids);
    }
  }
  return (region, modelId) =>
    anywhere.has(modelId) || (regional.get(region)?.has(modelId) ?? false);
}
