import { distinctModels } from "./distinct_models.ts";
import { InvalidRequestError, ModelNotFoundError } from "./errors.ts";

/** One model the gateway offers under a Claude Code name. */
export interface ModelEntry {
  /** Bedrock foundation model id, without a cross-region prefix. */
  readonly id: string;
  /** Cross-region inference profile prefixes AWS publishes for it (`us`, `eu`, `global`, ...). */
  readonly profiles: readonly string[];
  /**
   * Release date (`YYYY-MM-DD`), for models whose names and Bedrock ids carry
   * none (from Opus 4.7 on): `GET /v1/models` lists it as `created_at`.
   */
  readonly released?: string;
  /**
   * The most output tokens the model takes (`max_tokens`), as Anthropic
   * documents it: what `/v1/chat/completions` sends when the client sets no
   * `max_tokens` (`modelMaxOutput`).
   */
  readonly maxOutput: number;
}

/** Claude Code model name → Bedrock model. */
export type ModelTable = Readonly<Record<string, ModelEntry>>;

const US_EU_JP_AU_GLOBAL = ["us", "eu", "jp", "au", "global"] as const;
const US_GLOBAL = ["us", "global"] as const;
/**
 * Maximum output tokens ("Max output" in Anthropic's model pages,
 * https://platform.claude.com/docs/en/about-claude/models/overview and
 * https://platform.claude.com/docs/en/models/<model>/overview, November 2026; the
 * AWS model cards agree, e.g. docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-opus-4-7.html):
 * 128K from Opus 4.6 / Sonnet 4.6 on, 64K for Opus 4.5, Sonnet 4.5, Haiku 4.5,
 * Sonnet 4 and Sonnet 3.7 (128K there only with a beta header), 32K for
 * Opus 4 and 4.1, 8,192 for Haiku 3.5. Bedrock refuses a larger `max_tokens`.
 */
const OUT_128K = 128_000;
const OUT_64K = 64_000;
const OUT_32K = 32_000;

/**
 * The names Claude Code sends, mapped to Bedrock ids and the inference
 * profiles AWS publishes for each, newest first (AWS model cards and Claude
 * Code 2.1.332's own model catalogue, November 2026). Models from Sonnet 4.6 /
 * Opus 4.7 on have no date or `-v1:0` suffix on Bedrock; Opus 4.6 is
 * `anthropic.claude-opus-4-6-v1`. Claude Code 2.1.332 against a gateway sends
 * `claude-opus-5-5` by default and resolves its aliases `opus`, `sonnet`,
 * `haiku`, `fable` to `claude-opus-5-5`, `claude-sonnet-5-5`,
 * `claude-haiku-5-5`, `claude-fable-5-2` (in Bedrock mode `sonnet` and `haiku`
 * are `claude-sonnet-4-5` and `claude-haiku-4-5`). In Bedrock mode it picks its
 * model among the profiles the gateway lists (`GET /inference-profiles`), so a
 * model missing here is invoked through Claude Code's built-in `us.` profile
 * even behind a gateway configured for another geography. The profile lists of
 * Sonnet 5 / 5.5 and the Fable models are the least certain (AWS's profile
 * tables were not readable; Claude Code's catalogue and third-party catalogues).
 */
export const DEFAULT_MODEL_TABLE: ModelTable = Object.freeze({
  "claude-fable-5-2": {
    id: "anthropic.claude-fable-5-2",
    profiles: US_GLOBAL,
    released: "2026-11-09",
    maxOutput: OUT_128K,
  },
  "claude-haiku-5-5": {
    id: "anthropic.claude-haiku-5-5",
    profiles: ["us", "eu"],
    released: "2026-10-07",
    maxOutput: OUT_128K,
  },
  "claude-sonnet-5-5": {
    id: "anthropic.claude-sonnet-5-5",
    profiles: ["us", "eu", "global"],
    released: "2026-09-28",
    maxOutput: OUT_128K,
  },
  "claude-opus-5-5": {
    id: "anthropic.claude-opus-5-5",
    profiles: ["us", "eu", "jp", "au", "global", "us-gov"],
    released: "2026-09-22",
    maxOutput: OUT_128K,
  },
  "claude-fable-5-1": {
    id: "anthropic.claude-fable-5-1",
    profiles: US_GLOBAL,
    released: "2026-09-01",
    maxOutput: OUT_128K,
  },
  "claude-opus-5": {
    id: "anthropic.claude-opus-5",
    profiles: US_EU_JP_AU_GLOBAL,
    released: "2026-07-24",
    maxOutput: OUT_128K,
  },
  "claude-sonnet-5": {
    id: "anthropic.claude-sonnet-5",
    profiles: ["us", "eu", "global"],
    released: "2026-06-30",
    maxOutput: OUT_128K,
  },
  "claude-fable-5": {
    id: "anthropic.claude-fable-5",
    profiles: ["us", "au", "global"],
    released: "2026-06-09",
    maxOutput: OUT_128K,
  },
  "claude-opus-4-8": {
    id: "anthropic.claude-opus-4-8",
    profiles: US_EU_JP_AU_GLOBAL,
    released: "2026-05-28",
    maxOutput: OUT_128K,
  },
  "claude-opus-4-7": {
    id: "anthropic.claude-opus-4-7",
    profiles: US_EU_JP_AU_GLOBAL,
    released: "2026-04-16",
    maxOutput: OUT_128K,
  },
  "claude-opus-4-6": {
    id: "anthropic.claude-opus-4-6-v1",
    profiles: ["us", "eu", "au", "global"],
    maxOutput: OUT_128K,
  },
  "claude-sonnet-4-6": {
    id: "anthropic.claude-sonnet-4-6",
    profiles: US_EU_JP_AU_GLOBAL,
    maxOutput: OUT_128K,
  },
  "claude-opus-4-5": {
    id: "anthropic.claude-opus-4-5-20251101-v1:0",
    profiles: ["us", "eu", "global"],
    maxOutput: OUT_64K,
  },
  "claude-opus-4-5-20251101": {
    id: "anthropic.claude-opus-4-5-20251101-v1:0",
    profiles: ["us", "eu", "global"],
    maxOutput: OUT_64K,
  },
  "claude-sonnet-4-5": {
    id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    profiles: US_EU_JP_AU_GLOBAL,
    maxOutput: OUT_64K,
  },
  "claude-sonnet-4-5-20250929": {
    id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    profiles: US_EU_JP_AU_GLOBAL,
    maxOutput: OUT_64K,
  },
  "claude-haiku-4-5": {
    id: "anthropic.claude-haiku-4-5-20251001-v1:0",
    profiles: US_EU_JP_AU_GLOBAL,
    maxOutput: OUT_64K,
  },
  "claude-haiku-4-5-20251001": {
    id: "anthropic.claude-haiku-4-5-20251001-v1:0",
    profiles: US_EU_JP_AU_GLOBAL,
    maxOutput: OUT_64K,
  },
  "claude-opus-4-1": {
    id: "anthropic.claude-opus-4-1-20250805-v1:0",
    profiles: ["us"],
    maxOutput: OUT_32K,
  },
  "claude-opus-4-1-20250805": {
    id: "anthropic.claude-opus-4-1-20250805-v1:0",
    profiles: ["us"],
    maxOutput: OUT_32K,
  },
  "claude-opus-4-0": {
    id: "anthropic.claude-opus-4-20250514-v1:0",
    profiles: ["us"],
    maxOutput: OUT_32K,
  },
  "claude-opus-4-20250514": {
    id: "anthropic.claude-opus-4-20250514-v1:0",
    profiles: ["us"],
    maxOutput: OUT_32K,
  },
  "claude-sonnet-4-0": {
    id: "anthropic.claude-sonnet-4-20250514-v1:0",
    profiles: ["us", "eu", "apac", "global"],
    maxOutput: OUT_64K,
  },
  "claude-sonnet-4-20250514": {
    id: "anthropic.claude-sonnet-4-20250514-v1:0",
    profiles: ["us", "eu", "apac", "global"],
    maxOutput: OUT_64K,
  },
  "claude-3-7-sonnet-20250219": {
    id: "anthropic.claude-3-7-sonnet-20250219-v1:0",
    profiles: ["us", "eu", "apac"],
    maxOutput: OUT_64K,
  },
  "claude-3-7-sonnet-latest": {
    id: "anthropic.claude-3-7-sonnet-20250219-v1:0",
    profiles: ["us", "eu", "apac"],
    maxOutput: OUT_64K,
  },
  "claude-3-5-haiku-20241022": {
    id: "anthropic.claude-3-5-haiku-20241022-v1:0",
    profiles: ["us"],
    maxOutput: 8_192,
  },
  "claude-3-5-haiku-latest": {
    id: "anthropic.claude-3-5-haiku-20241022-v1:0",
    profiles: ["us"],
    maxOutput: 8_192,
  },
});

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
    const released = _releasedOf(table, modelId);
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

/**
 * The table's release date of the model an alias's Bedrock id names: its
 * foundation model id, bare or under any inference-profile prefix
 * (`eu.anthropic.claude-opus-5-5`), or the last segment of an ARN.
 */
function _releasedOf(table: ModelTable, modelId: string): string | undefined {
  const id = (modelId.split("/").at(-1) ?? modelId).replace(/^[a-z-]+\.(?=anthropic\.)/, "");
  return Object.values(table).find((entry) => entry.id === id)?.released;
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
