import type { PolicyDocument } from "./policy_schema.ts";

/** The inference-profile prefixes Bedrock invokes from a region, by the region's name. */
function _prefixesFrom(region: string): readonly string[] | undefined {
  if (region.startsWith("us-gov-")) return ["us-gov", "global"];
  if (region.startsWith("us-")) return ["us", "global"];
  if (region.startsWith("ca-")) return ["ca", "us", "global"];
  if (region.startsWith("eu-")) return ["eu", "global"];
  if (/^ap-northeast-[13]$/.test(region)) return ["jp", "apac", "global"];
  if (/^ap-southeast-[24]$/.test(region)) return ["au", "apac", "global"];
  if (region.startsWith("ap-")) return ["apac", "global"];
  return undefined; // a region whose profiles this table does not know: no opinion
}

const PROFILE = /^(us-gov|us|eu|apac|jp|au|ca|global)\./;

/**
 * The policy catalogue's inference profiles that Bedrock does not invoke from
 * the regions they would be called in: a `us.` profile listed for every
 * region of a deployment in `eu-west-1` (the example policy copied into an EU
 * deployment), or a region's own entry naming another geography's profile.
 * Bedrock answers such a call "The provided model identifier is invalid", so
 * every request for the model would fail there; said once at start-up and at
 * each reload, as a warning. Foundation model ids and ARNs are not checked,
 * nor regions whose geography the table does not know. Pure.
 *
 * @param document The parsed policy.
 * @param regions The deployment's Bedrock regions (`CCGATE_BEDROCK_REGIONS`, else `AWS_REGION`).
 * @returns One line per model and region that does not match.
 *
 * @example
 * ```ts
 * import { policyGeographyWarnings } from "./policy_geography_warnings.ts";
 * const price = { input: 1, output: 5 };
 * const document = {
 *   models: { "claude-haiku-4-5": { bedrock: "us.anthropic.claude-haiku-4-5-20251001-v1:0", price } },
 * } as unknown as Parameters<typeof policyGeographyWarnings>[0];
 * console.assert(policyGeographyWarnings(document, ["eu-west-1"]).length === 1);
 * console.assert(policyGeographyWarnings(document, ["us-east-1"]).length === 0);
 * ```
 */
export function policyGeographyWarnings(
  document: PolicyDocument,
  regions: readonly string[],
): string[] {
  const warnings: string[] = [];
  for (const [name, model] of Object.entries(document.models)) {
    const pairs = typeof model.bedrock === "string"
      ? regions.map((region) => [region, model.bedrock as string] as const)
      : Object.entries(model.bedrock);
    for (const [region, id] of pairs) {
      const prefix = PROFILE.exec(id)?.[1];
      const allowed = _prefixesFrom(region);
      if (prefix === undefined || allowed === undefined || allowed.includes(prefix)) continue;
      warnings.push(
        `policy model ${name}: ${id} is a ${prefix}. inference profile, which Bedrock does not invoke from ${region}, so requests for it fail there; list a ${
          allowed[0]
        }. profile, or one per region (bedrock: {${region}: ...})`,
      );
    }
  }
  return warnings;
}
