import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { InvalidRequestError } from "./errors.ts";
import { modelCard } from "./model_card.ts";
import { DEFAULT_MODEL_TABLE, listModels } from "./model_map.ts";
import { liveModelValue } from "./model_options.ts";
import type { ResolveModelOptions } from "./model_map.ts";

/** One entry of Bedrock's ListInferenceProfiles answer. */
export interface InferenceProfileSummary {
  inferenceProfileName: string;
  description: string;
  inferenceProfileArn: string;
  inferenceProfileId: string;
  models: { modelArn: string }[];
  status: "ACTIVE";
  type: "SYSTEM_DEFINED";
}

const PROFILE = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(anthropic\..+)$/;
const GEO: Record<string, string> = {
  us: "US",
  eu: "EU",
  apac: "APAC",
  jp: "JP",
  au: "AU",
  ca: "CA",
  "us-gov": "US-GOV",
  global: "Global",
};

/**
 * `GET /inference-profiles` (Bedrock's ListInferenceProfiles, which Claude
 * Code's Bedrock mode calls at start-up without credentials): the
 * cross-region inference profiles this deployment offers, one per Claude
 * model, and nothing else — no account id, no other profiles. `type`
 * `APPLICATION` lists none; `maxResults` and `nextToken` page as Bedrock's do.
 */
export function inferenceProfilesRoute(deps: GatewayDeps): Handler {
  const region = deps.config.bedrockRegions[0] ?? "us-east-1";
  const profilesNow = liveModelValue(
    deps.config,
    deps.policyAliases,
    (options) => _profiles(options, region),
  );

  return function inferenceProfiles(c: Context) {
    const profiles = profilesNow();
    const type = c.req.query("type");
    if (type !== undefined && type !== "SYSTEM_DEFINED" && type !== "APPLICATION") {
      throw new InvalidRequestError(
        "type: Value must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]",
      );
    }
    const all = type === "APPLICATION" ? [] : profiles;
    const max = _int(c.req.query("maxResults"), "maxResults", 1, 1000) ?? 1000;
    const start = _int(c.req.query("nextToken"), "nextToken", 0, all.length) ?? 0;
    const page = all.slice(start, start + max);
    const next = start + page.length;
    return c.json({
      inferenceProfileSummaries: page,
      ...(next < all.length ? { nextToken: String(next) } : {}),
    });
  };
}

function _int(value: string | undefined, name: string, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw new InvalidRequestError(`${name}: Value must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** One summary per cross-region inference profile of the offered models. */
function _profiles(options: ResolveModelOptions, region: string): InferenceProfileSummary[] {
  const seen = new Set<string>();
  const profiles: InferenceProfileSummary[] = [];
  for (const model of listModels(DEFAULT_MODEL_TABLE, options)) {
    const match = PROFILE.exec(model.modelId);
    if (match === null || seen.has(model.modelId)) continue;
    seen.add(model.modelId);
    const name = modelCard(model).display_name;
    profiles.push({
      inferenceProfileName: `${GEO[match[1]!]} ${name}`,
      description: `Routes requests to ${name} through ccgate`,
      inferenceProfileArn: `arn:aws:bedrock:${region}::inference-profile/${model.modelId}`,
      inferenceProfileId: model.modelId,
      models: [{ modelArn: `arn:aws:bedrock:${region}::foundation-model/${match[2]}` }],
      status: "ACTIVE",
      type: "SYSTEM_DEFINED",
    });
  }
  return profiles;
}
