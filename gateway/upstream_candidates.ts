/** One place a call can go: a region and the model id to invoke there. */
export interface UpstreamCandidate {
  /** AWS region (selects the Bedrock client). */
  region: string;
  /** Model id or inference profile id to invoke; `undefined` for calls without one. */
  modelId: string | undefined;
}

const PROFILE = /^(us|eu|apac|jp|au|ca|global|us-gov)\.(anthropic\..+)$/;

/**
 * The ordered upstreams for one call: the requested model id in each
 * configured region, then each alternative inference profile (the same model
 * under another prefix, e.g. `us.` → `global.`) in each region. Ids that are
 * not cross-region profile ids (plain model ids, ARNs) get no alternatives.
 *
 * @param modelId The model id the caller asked for.
 * @param regions Configured regions, primary first.
 * @param profiles Alternative profile prefixes, in order.
 * @returns The candidates, primary first, without duplicates.
 *
 * @example
 * ```ts
 * import { upstreamCandidates } from "./upstream_candidates.ts";
 * const list = upstreamCandidates("us.anthropic.claude-opus-4-8", ["us-east-1", "us-west-2"], ["global"]);
 * console.assert(list.length === 4 && list[2]!.modelId === "global.anthropic.claude-opus-4-8");
 * ```
 */
export function upstreamCandidates(
  modelId: string | undefined,
  regions: readonly string[],
  profiles: readonly string[],
): UpstreamCandidate[] {
  const ids: (string | undefined)[] = [modelId];
  const match = modelId === undefined ? null : PROFILE.exec(modelId);
  if (match !== null) {
    for (const profile of profiles) {
      const id = `${profile}.${match[2]}`;
      if (!ids.includes(id)) ids.push(id);
    }
  }
  const out: UpstreamCandidate[] = [];
  for (const id of ids) for (const region of regions) out.push({ region, modelId: id });
  return out;
}
