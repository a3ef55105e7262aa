import { CLAUDE_MODEL_NAME, type ListedModel } from "./model_map.ts";

/** Claude Code's model aliases that take a model of one family (`sonnet` → a Sonnet). */
export const CLAUDE_CODE_ALIAS_FAMILIES = ["opus", "sonnet", "haiku", "fable"] as const;

/** One of {@linkcode CLAUDE_CODE_ALIAS_FAMILIES}. */
export type ClaudeCodeAliasFamily = typeof CLAUDE_CODE_ALIAS_FAMILIES[number];

/** The model one alias should take. */
export interface ClaudeCodeAliasModel {
  /** The model's name, as `/v1/models` lists it (Anthropic mode's `model`), e.g. `claude-sonnet-5-5`. */
  model: string;
  /** The Bedrock id it resolves to here (Bedrock mode's model id), e.g. `eu.anthropic.claude-sonnet-5-5`. */
  bedrock: string;
}

/** Alias → model; an alias whose family has no model the user may use is absent. */
export type ClaudeCodeAliases = Partial<Record<ClaudeCodeAliasFamily, ClaudeCodeAliasModel>>;

const ALIAS_FAMILIES: ReadonlySet<string> = new Set(CLAUDE_CODE_ALIAS_FAMILIES);

/** Family and version (`major * 100 + minor`) of a Claude model name; `undefined` for other names. */
function _parse(name: string): { family: string; version: number } | undefined {
  const groups = CLAUDE_MODEL_NAME.exec(name)?.groups;
  if (groups === undefined) return undefined;
  return {
    family: groups.family ?? groups.oldFamily!,
    version: Number(groups.major ?? groups.oldMajor) * 100 +
      Number(groups.minor ?? groups.oldMinor ?? 0),
  };
}

/**
 * The model each of Claude Code's aliases (`opus`, `sonnet`, `haiku`,
 * `fable`) should take: of the given models (what the deployment offers and
 * the user may use, in the deployment's geography), the newest version of the
 * alias's family, read from the name (`claude-sonnet-5-5` is 5.5,
 * `claude-3-7-sonnet-20250219` 3.7: names carry no release date from Opus 4.7
 * on, and a policy's names none at all); on a tie the first listed (the
 * policy's names come before the table). Names that are no plain Claude
 * model name (an admin's own alias, `-latest`) take no alias. Pure.
 *
 * @param models The models the user may use, as `listModels` lists them.
 * @returns The choice per alias; an alias whose family none of `models` has is absent.
 *
 * @example
 * ```ts
 * import { claudeCodeAliases } from "./claude_code_aliases.ts";
 * const aliases = claudeCodeAliases([
 *   { name: "claude-sonnet-4-5-20250929", modelId: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0" },
 *   { name: "claude-sonnet-5-5", modelId: "eu.anthropic.claude-sonnet-5-5", released: "2026-09-28" },
 * ]);
 * console.assert(aliases.sonnet?.bedrock === "eu.anthropic.claude-sonnet-5-5");
 * console.assert(aliases.opus === undefined);
 * ```
 */
export function claudeCodeAliases(models: readonly ListedModel[]): ClaudeCodeAliases {
  const out: ClaudeCodeAliases = {};
  const newest: Partial<Record<ClaudeCodeAliasFamily, number>> = {};
  for (const model of models) {
    const parsed = _parse(model.name);
    if (parsed === undefined || !ALIAS_FAMILIES.has(parsed.family)) continue;
    const family = parsed.family as ClaudeCodeAliasFamily;
    const { version } = parsed;
    const best = newest[family];
    if (best !== undefined && version <= best) continue;
    newest[family] = version;
    out[family] = { model: model.name, bedrock: model.modelId };
  }
  return Object.fromEntries(
    CLAUDE_CODE_ALIAS_FAMILIES.filter((f) => out[f] !== undefined).map((f) => [f, out[f]!]),
  );
}
