import { distinctModels } from "./distinct_models.ts";
import { InvalidRequestError, ModelNotFoundError } from "./errors.ts";
import { type ModelTable, tableEntryOf } from "./model_table.ts";

export { DEFAULT_MODEL_TABLE, type ModelEntry, type ModelTable } from "./model_table.ts";

/** How names missing from the table are mapped. */
export interface FallbackRule {
  /** Names the rule applies to. */
  pattern: RegExp;
  /**
   * Id template: `{profile}` is `us.` (the prefix and a dot, empty for `none`),
   * `{name}` the requested name, `{version}` is `-v1:0` for names ending in
   * an 8-digit date (older Bedrock ids) and empty otherwise.
   */
  template: string;
}

/** Options of {@linkcode resolveModel}. */
export interface ResolveModelOptions {
  /**
   * Cross-region inference profile prefix (`us`, `eu`, `apac`, `jp`, `au`,
   * `global`), or `none` for in-region foundation model ids.
   * @default {"us"}
   */
  prefix?: string;
  /**
   * Extra aliases: name → Bedrock id used verbatim (no prefix). They win over
   * the table.
   * @default {{}}
   */
  aliases?: Readonly<Record<string, string>>;
  /**
   * Accept raw Bedrock ids (`anthropic.claude-...`, `us.anthropic...`, ARNs).
   * @default {true}
   */
  allowRawIds?: boolean;
  /**
   * Rule for names missing from the table, or `false` for none.
   * @default {DEFAULT_FALLBACK_RULE}
   */
  fallback?: FallbackRule | false;
}

/**
 * The shapes of Claude model names (Anthropic's naming scheme):
 * `claude-{opus|sonnet|haiku|fable|mythos}-{major}[-{minor}][-{YYYYMMDD}]` (`claude-sonnet-4-5-20250929`)
 * and the older `claude-{major}[-{minor}]-{family}[-{YYYYMMDD}]` (`claude-3-7-sonnet-20250219`),
 * versions of at most two digits and a plausible date. Anything else (`claude-sonnet-4-5-x7`) is
 * no Claude model: sending it to Bedrock would cost a call and leave a made-up id in the usage
 * roll-ups and dashboards. Its groups are the name's parts: `family`, `major` and `minor`, or
 * `oldFamily`, `oldMajor` and `oldMinor` in the older shape (`claude_code_aliases.ts` reads them).
 */
export const CLAUDE_MODEL_NAME =
  /^claude-(?:(?<family>opus|sonnet|haiku|fable|mythos)-(?<major>\d{1,2})(?:-(?<minor>\d{1,2}))?|(?<oldMajor>\d{1,2})(?:-(?<oldMinor>\d{1,2}))?-(?<oldFamily>opus|sonnet|haiku))(?:-20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))?$/;

/**
 * New Claude model names ({@linkcode CLAUDE_MODEL_NAME}) map to
 * `{prefix}.anthropic.{name}` without a redeploy; other `claude-*` names are
 * `model_not_found` (404).
 */
export const DEFAULT_FALLBACK_RULE: FallbackRule = Object.freeze({
  pattern: CLAUDE_MODEL_NAME,
  template: "{profile}anthropic.{name}{version}",
});

const RAW_ID =
  /^(?:(?:us|eu|apac|jp|au|ca|global|us-gov)\.)?anthropic\.claude-[a-z0-9.-]+(?::\d+)?$/;
const ARN =
  /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:\d{0,12}:(?:inference-profile|application-inference-profile|foundation-model|provisioned-model|custom-model-deployment)\/[A-Za-z0-9.:_\/-]+$/;
const SUFFIX = /\[[a-z0-9]+\]$/i;
const DATED = /-\d{8}$/;

/**
 * Longest model name or Bedrock id accepted: Bedrock's ids and ARNs are far
 * shorter, and the name goes into usage keys and log lines.
 */
export const MAX_MODEL_CHARS = 512;

const RECORDABLE = /^[A-Za-z0-9._:\/@\[\]-]+$/;

/**
 * The requested `model` as a request's record may keep it before it is
 * resolved (so that the ledger entry of a name nothing maps says what was
 * asked for): a string of at most {@linkcode MAX_MODEL_CHARS} characters made
 * of what model names, Bedrock ids and ARNs are made of. Anything else
 * (spaces, quotes, control characters: a typo does not need them, a log
 * injection does) is not kept. Pure.
 *
 * @param requested The request's `model` value.
 * @returns The name, or `undefined`.
 *
 * @example
 * ```ts
 * import { recordableModelName } from "./model_map.ts";
 * console.assert(recordableModelName("claude-opus-9-typo") === "claude-opus-9-typo");
 * console.assert(recordableModelName('x"}\n{"msg":"forged"') === undefined);
 * ```
 */
export function recordableModelName(requested: unknown): string | undefined {
  return typeof requested === "string" && requested.length <= MAX_MODEL_CHARS &&
      RECORDABLE.test(requested)
    ? requested
    : undefined;
}

/**
 * Maps the `model` of a request to the Bedrock id to invoke: configured
 * aliases first, then the table (with the configured inference profile
 * prefix), then raw Bedrock ids and ARNs when allowed, then the fallback
 * rule. A trailing bracket suffix such as `[1m]` is ignored.
 *
 * @param requested The request's `model` value.
 * @param table Known names.
 * @param options Prefix, aliases, raw ids, fallback.
 * @param listed The models a not-found message may list: the user's
 * (`GatewayDeps.allowedModels`), so that a refusal names only what this user
 * may use. Called only when nothing is found (a request's policy rules are not
 * looked up otherwise); absent, or `undefined` from it: every offered model.
 * @returns The Bedrock model id, inference profile id or ARN.
 * @throws {InvalidRequestError} When `model` is missing or not a string.
 * @throws {ModelNotFoundError} When nothing maps the name (code `model_not_found`);
 * the message names the model and lists the available names (those `listed` keeps).
 *
 * @example Resolve Claude Code's default model in the EU
 * ```ts
 * import { DEFAULT_MODEL_TABLE, resolveModel } from "./model_map.ts";
 * const id = resolveModel("claude-opus-4-8", DEFAULT_MODEL_TABLE, { prefix: "eu" });
 * console.assert(id === "eu.anthropic.claude-opus-4-8");
 * ```
 */
export function resolveModel(
  requested: unknown,
  table: ModelTable,
  options: ResolveModelOptions = {},
  listed?: () => ((model: ListedModel) => boolean) | undefined,
): string {
  if (requested === undefined || requested === null) {
    throw new InvalidRequestError("model: Field required");
  }
  if (typeof requested !== "string" || requested === "") {
    throw new InvalidRequestError("model: Input should be a non-empty string");
  }
  if (requested.length > MAX_MODEL_CHARS) {
    throw new InvalidRequestError(`model: at most ${MAX_MODEL_CHARS} characters`);
  }
  const prefix = options.prefix ?? "us";
  const aliases = options.aliases ?? {};
  if (Object.hasOwn(aliases, requested)) return aliases[requested]!;
  const name = requested.replace(SUFFIX, "");
  if (Object.hasOwn(aliases, name)) return aliases[name]!;
  if (Object.hasOwn(table, name)) {
    const entry = table[name]!;
    if (prefix === "none") return entry.id;
    if (entry.profiles.includes(prefix)) return `${prefix}.${entry.id}`;
    throw new ModelNotFoundError(
      `Model ${JSON.stringify(requested)} is not available with inference profile prefix ${
        JSON.stringify(prefix)
      } (Bedrock offers ${entry.profiles.join(", ")}). Available models: ${
        _names(table, options, listed)
      }`,
    );
  }
  if ((options.allowRawIds ?? true) && (RAW_ID.test(requested) || ARN.test(requested))) {
    return requested;
  }
  const fallback = options.fallback ?? DEFAULT_FALLBACK_RULE;
  if (fallback !== false && fallback.pattern.test(name)) {
    return fallback.template
      .replaceAll("{profile}", prefix === "none" ? "" : `${prefix}.`)
      .replaceAll("{name}", name)
      .replaceAll("{version}", DATED.test(name) ? "-v1:0" : "");
  }
  throw new ModelNotFoundError(
    `Model ${JSON.stringify(requested)} not found. Available models: ${
      _names(table, options, listed)
    }`,
  );
}

/** One entry of {@linkcode listModels}. */
export interface ListedModel {
  /** The name clients send as `model`. */
  name: string;
  /** The Bedrock id it resolves to. */
  modelId: string;
  /** Release date (`YYYY-MM-DD`) from the table, when the name and id carry none. */
  released?: string;
}

/**
 * The names a client may send and what each resolves to under the given
 * prefix: configured aliases, then table names whose model has a profile for
 * the prefix. An alias of a table model (by its Bedrock id, under any
 * profile prefix) takes that model's release date.
 *
 * @param table Known names.
 * @param options Prefix and aliases, as for {@linkcode resolveModel}.
 * @returns The models, aliases first, then table order.
 *
 * @example
 * ```ts
 * import { DEFAULT_MODEL_TABLE, listModels } from "./model_map.ts";
 * const names = listModels(DEFAULT_MODEL_TABLE, { prefix: "global" }).map((m) => m.name);
 * console.assert(names.includes("claude-opus-4-8") && !names.includes("claude-opus-4-1"));
 * ```
 */
export function listModels(
  table: ModelTable,
  options: Pick<ResolveModelOptions, "prefix" | "aliases"> = {},
): ListedModel[] {
  const prefix = options.prefix ?? "us";
  const out: ListedModel[] = [];
  for (const [name, modelId] of Object.entries(options.aliases ?? {})) {
    const released = tableEntryOf(table, modelId)?.released;
    out.push(released === undefined ? { name, modelId } : { name, modelId, released });
  }
  for (const [name, entry] of Object.entries(table)) {
    if (Object.hasOwn(options.aliases ?? {}, name)) continue;
    const released = entry.released === undefined ? {} : { released: entry.released };
    if (prefix === "none") out.push({ name, modelId: entry.id, ...released });
    else if (entry.profiles.includes(prefix)) {
      out.push({ name, modelId: `${prefix}.${entry.id}`, ...released });
    }
  }
  return out;
}

/** The names a not-found message lists: the models the user may use as `GET /v1/models` lists them, or `none`. */
function _names(
  table: ModelTable,
  options: ResolveModelOptions,
  listed: (() => ((model: ListedModel) => boolean) | undefined) | undefined,
): string {
  const keep = listed?.();
  const offered = listModels(table, options);
  const names = distinctModels(keep === undefined ? offered : offered.filter(keep)).map((m) =>
    m.name
  );
  return names.length === 0 ? "none" : names.join(", ");
}
