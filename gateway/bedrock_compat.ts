/**
 * What Bedrock's Anthropic Messages API accepts, per model family, as data
 * (`bedrock_compat.json`, each decision with its reason and sources) plus the
 * lookup that picks a family for a Bedrock model id.
 *
 * @module
 */
import table from "./bedrock_compat.json" with { type: "json" };

/** How a family treats `thinking`. */
export type ThinkingSupport =
  /** Adaptive only: `enabled` + `budget_tokens` is rewritten to `adaptive`. */
  | "adaptive"
  /** Enabled only: `adaptive` is rewritten to `enabled` with a budget. */
  | "enabled"
  /** Both kinds: kept as sent. */
  | "any"
  /** No extended thinking: the field is dropped. */
  | "none";

/** How a family treats `temperature`, `top_p`, `top_k`. */
export type SamplingSupport =
  /** Kept as sent. */
  | "keep"
  /** All three dropped (adaptive-only models reject them). */
  | "drop"
  /** `top_p` dropped when `temperature` is also present. */
  | "temperature-or-top_p";

/** The compatibility rules of one model family. */
export interface BedrockFamily {
  /** Family id, e.g. `opus-4.5`; `default` for unclassified ids. */
  readonly id: string;
  /** Regex source matched against the Bedrock model id (empty for the default). */
  readonly match: string;
  /** Betas forwarded to Bedrock, when the client asked for them. */
  readonly betas: ReadonlySet<string>;
  /** Treatment of `thinking`. */
  readonly thinking: ThinkingSupport;
  /** Whether `output_config.effort` is kept. */
  readonly effort: "keep" | "drop";
  /** Treatment of sampling parameters. */
  readonly sampling: SamplingSupport;
  /** Whether `cache_control.ttl` is kept. */
  readonly cacheTtl: boolean;
}

interface RawFamily {
  id: string;
  match: string;
  betas: string[];
  thinking: string;
  effort: string;
  sampling: string;
  cacheTtl: boolean;
}

function _family(raw: RawFamily): BedrockFamily {
  return {
    id: raw.id,
    match: raw.match,
    betas: new Set(raw.betas),
    thinking: raw.thinking as ThinkingSupport,
    effort: raw.effort as "keep" | "drop",
    sampling: raw.sampling as SamplingSupport,
    cacheTtl: raw.cacheTtl,
  };
}

const FAMILIES: readonly { re: RegExp; family: BedrockFamily }[] = table.families.map((raw) => ({
  re: new RegExp(raw.match),
  family: _family(raw),
}));

/** Rules for Bedrock model ids no family matches (application inference profile ARNs). */
export const DEFAULT_BEDROCK_FAMILY: BedrockFamily = _family(table.default);

/** The `anthropic_version` Bedrock requires in every body. */
export const BEDROCK_ANTHROPIC_VERSION: string = table.anthropicVersion;

/** Top-level request fields the gateway may send to Bedrock (everything else is dropped). */
export const BEDROCK_REQUEST_FIELDS: readonly string[] = Object.keys(table.fields).filter((f) =>
  f !== "*" && table.fields[f as keyof typeof table.fields].decision !== "drop"
);

/**
 * Tool definition fields the gateway removes: all of them, except
 * {@linkcode TOOL_SEARCH_TOOL_FIELDS} when tool search is forwarded.
 */
export const BEDROCK_DROPPED_TOOL_FIELDS: readonly string[] = Object.keys(table.toolFields);

/**
 * Tool `type` prefixes whose tools the gateway removes (Anthropic-hosted
 * tools), except {@linkcode TOOL_SEARCH_TOOL_TYPES} when tool search is forwarded.
 */
export const BEDROCK_DROPPED_TOOL_TYPES: readonly string[] = Object.keys(table.droppedToolTypes);

/** The beta with which Bedrock takes tool search (`defer_loading`, `tool_reference`). */
export const TOOL_SEARCH_BETA: string = table.toolSearch.beta;

/** Betas by which a client asks for tool search (Bedrock's name and the first-party one). */
export const TOOL_SEARCH_ASKED_BY: readonly string[] = table.toolSearch.askedBy;

/** Tool fields kept when tool search is forwarded (`defer_loading`). */
export const TOOL_SEARCH_TOOL_FIELDS: readonly string[] = table.toolSearch.toolFields;

/** Tool `type` prefixes kept when tool search is forwarded (`tool_search_tool_`). */
export const TOOL_SEARCH_TOOL_TYPES: readonly string[] = table.toolSearch.toolTypes;

/** Every beta forwarded to at least one family: what a Bedrock emulator should accept. */
export const BEDROCK_ALLOWED_BETAS: readonly string[] = [
  ...new Set(FAMILIES.flatMap(({ family }) => [...family.betas])),
].sort();

/**
 * Picks the compatibility rules for a Bedrock model id, inference profile id
 * or ARN: the first family whose pattern occurs in the id, else
 * {@linkcode DEFAULT_BEDROCK_FAMILY}.
 *
 * @param modelId The id passed to InvokeModel.
 * @returns The family's rules.
 *
 * @example Pick the rules for an inference profile
 * ```ts
 * import { bedrockFamily } from "./bedrock_compat.ts";
 * const family = bedrockFamily("us.anthropic.claude-opus-4-8");
 * console.assert(family.id === "adaptive");
 * console.assert(!family.betas.has("claude-code-20250219"));
 * ```
 */
export function bedrockFamily(modelId: string): BedrockFamily {
  for (const { re, family } of FAMILIES) {
    if (re.test(modelId)) return family;
  }
  return DEFAULT_BEDROCK_FAMILY;
}

/**
 * The betas Bedrock accepts for one model id: what the Bedrock emulator
 * should allow when it serves that model.
 *
 * @param modelId The id passed to InvokeModel.
 * @returns The forwarded betas, sorted.
 *
 * @example
 * ```ts
 * import { bedrockAllowedBetas } from "./bedrock_compat.ts";
 * console.assert(bedrockAllowedBetas("anthropic.claude-opus-4-5-20251101-v1:0").includes("effort-2025-11-24"));
 * ```
 */
export function bedrockAllowedBetas(modelId: string): string[] {
  return [...bedrockFamily(modelId).betas].sort();
}
