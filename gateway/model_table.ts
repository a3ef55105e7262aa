/**
 * The models the gateway knows by name: Claude Code's names, their Bedrock
 * ids and inference profiles, release dates and maximum output
 * (`DEFAULT_MODEL_TABLE`), and how a Bedrock id finds its entry
 * (`tableEntryOf`). Data; `model_map.ts` resolves names with it.
 *
 * @module
 */

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

/**
 * The table's entry of the model a Bedrock id names: its foundation model
 * id, bare or under any inference-profile prefix
 * (`eu.anthropic.claude-opus-5-5`), or the last segment of an ARN;
 * `undefined` for a model the table does not know. Pure.
 *
 * @param table Known models.
 * @param modelId A Bedrock id.
 * @returns The entry, if any.
 *
 * @example
 * ```ts
 * import { DEFAULT_MODEL_TABLE, tableEntryOf } from "./model_table.ts";
 * console.assert(tableEntryOf(DEFAULT_MODEL_TABLE, "eu.anthropic.claude-opus-5-5")?.maxOutput === 128_000);
 * ```
 */
export function tableEntryOf(table: ModelTable, modelId: string): ModelEntry | undefined {
  const id = (modelId.split("/").at(-1) ?? modelId).replace(/^[a-z-]+\.(?=anthropic\.)/, "");
  return Object.values(table).find((entry) => entry.id === id);
}
