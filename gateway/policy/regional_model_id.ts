import type { PolicyDocument } from "./policy_schema.ts";

const INDEXES = new WeakMap<PolicyDocument, Map<string, Record<string, string>>>();

/**
 * The id to invoke in `region` for a Bedrock id listed by a catalogue entry
 * with per-region ids (`bedrock: {us-east-1: us.anthropic.x, eu-west-1:
 * eu.anthropic.x}`), for failover to another region; `undefined` when the
 * id is not listed that way or no entry listing it has an id for the region.
 * Only exact ids are looked up (never another profile of the same foundation
 * model); entries sharing an id agree on its regional ids (`parsePolicy`
 * checks), so their maps are merged. The index is built once per policy
 * document. Pure.
 *
 * @param document The policy in force.
 * @param bedrockModelId The id the request resolved to.
 * @param region The region about to be called.
 * @returns The regional id, or `undefined` to keep the requested one.
 *
 * @example
 * ```ts
 * import { regionalModelId } from "./regional_model_id.ts";
 * const document = {
 *   models: {
 *     sonnet: {
 *       bedrock: { "us-east-1": "us.anthropic.claude-sonnet-4-6", "eu-west-1": "eu.anthropic.claude-sonnet-4-6" },
 *       price: { input: 3, output: 15 },
 *     },
 *   },
 * };
 * console.assert(regionalModelId(document, "us.anthropic.claude-sonnet-4-6", "eu-west-1") === "eu.anthropic.claude-sonnet-4-6");
 * ```
 */
export function regionalModelId(
  document: PolicyDocument,
  bedrockModelId: string,
  region: string,
): string | undefined {
  let index = INDEXES.get(document);
  if (index === undefined) {
    index = new Map();
    for (const m of Object.values(document.models)) {
      if (typeof m.bedrock === "string") continue;
      for (const id of Object.values(m.bedrock)) {
        const regional = index.get(id) ?? {};
        for (const [r, other] of Object.entries(m.bedrock)) regional[r] ??= other;
        index.set(id, regional);
      }
    }
    INDEXES.set(document, index);
  }
  const ids = index.get(bedrockModelId);
  return ids !== undefined && Object.hasOwn(ids, region) ? ids[region] : undefined;
}
