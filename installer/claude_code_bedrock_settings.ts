import type { ClaudeCodeSettings } from "./claude_code_settings.ts";

/**
 * The Bedrock model id each of Claude Code's model aliases takes (the
 * gateway's `GET /claude-code/aliases`), e.g. `{ sonnet:
 * "us.anthropic.claude-sonnet-5-5" }`; an alias left out keeps Claude Code's
 * built-in Bedrock default.
 */
export type ClaudeCodeAliasModels = Partial<Record<ClaudeCodeAlias, string>>;

/** Claude Code's model aliases that take one model family's newest model. */
export const CLAUDE_CODE_ALIASES = ["opus", "sonnet", "haiku", "fable"] as const;

/** One of {@linkcode CLAUDE_CODE_ALIASES}. */
export type ClaudeCodeAlias = typeof CLAUDE_CODE_ALIASES[number];

/** Claude Code 2.1.332's variable for each alias (`haiku`'s is also its small/fast background model). */
const ALIAS_ENV: Readonly<Record<ClaudeCodeAlias, string>> = {
  opus: "ANTHROPIC_DEFAULT_OPUS_MODEL",
  sonnet: "ANTHROPIC_DEFAULT_SONNET_MODEL",
  haiku: "ANTHROPIC_DEFAULT_HAIKU_MODEL",
  fable: "ANTHROPIC_DEFAULT_FABLE_MODEL",
};

/** Options of {@linkcode claudeCodeBedrockSettings}. */
export interface ClaudeCodeBedrockSettingsOptions {
  /** The gateway's base URL, e.g. `https://ccgate.example.com`. */
  gatewayUrl: string;
  /** The command Claude Code runs to get a token, e.g. `/usr/local/bin/ccgate token`. */
  apiKeyHelper: string;
  /**
   * `AWS_REGION` for Claude Code: it picks the inference profile prefix
   * (`us`, `eu`, `apac`) from it, among the profiles the gateway lists.
   * @default {"us-east-1"}
   */
  awsRegion?: string;
  /**
   * Access token lifetime, seconds; Claude Code re-runs the helper a little before it ends.
   * @default {3600}
   */
  accessTokenTtlSeconds?: number;
  /**
   * Deny Claude Code's server-side tools that Bedrock does not offer (WebSearch).
   * @default {true}
   */
  denyUnsupportedTools?: boolean;
  /**
   * The model each alias takes, written as `ANTHROPIC_DEFAULT_OPUS_MODEL`,
   * `_SONNET_`, `_HAIKU_` (also Claude Code's background model) and
   * `_FABLE_`. Without them Claude Code's Bedrock mode resolves `sonnet` and
   * `haiku` to its built-in 4.5 profiles, whatever the gateway offers.
   * @default {{}}
   */
  aliasModels?: ClaudeCodeAliasModels;
}

/**
 * Renders the Claude Code settings of `ccgate install --mode bedrock`:
 * Claude Code in its Bedrock mode (`CLAUDE_CODE_USE_BEDROCK=1`) with the
 * gateway as its Bedrock endpoint (`ANTHROPIC_BEDROCK_BASE_URL`), AWS
 * signing switched off (`CLAUDE_CODE_SKIP_BEDROCK_AUTH=1`) so the
 * `apiKeyHelper`'s ccgate token travels as `Authorization: Bearer`, and
 * `AWS_REGION`, and the model of each alias the gateway chose
 * (`ANTHROPIC_DEFAULT_*_MODEL`). The helper is re-run five minutes before the token expires;
 * traffic that would bypass the gateway is switched off. When merged into the
 * user's settings, `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN` and
 * `AWS_BEARER_TOKEN_BEDROCK` there are taken over (the last replaces the
 * ccgate token in Bedrock mode); other provider switches need nothing, as
 * `CLAUDE_CODE_USE_BEDROCK` wins over them. Pure.
 *
 * @param options Gateway, helper, region, token lifetime, alias models.
 * @returns The settings.
 *
 * @example
 * ```ts
 * import { claudeCodeBedrockSettings } from "./claude_code_bedrock_settings.ts";
 * const settings = claudeCodeBedrockSettings({
 *   gatewayUrl: "https://ccgate.example.com/",
 *   apiKeyHelper: "/usr/local/bin/ccgate token",
 *   aliasModels: { sonnet: "us.anthropic.claude-sonnet-5-5" },
 * });
 * console.assert(settings.env.ANTHROPIC_BEDROCK_BASE_URL === "https://ccgate.example.com");
 * console.assert(settings.env.ANTHROPIC_DEFAULT_SONNET_MODEL === "us.anthropic.claude-sonnet-5-5");
 * ```
 */
export function claudeCodeBedrockSettings(
  options: ClaudeCodeBedrockSettingsOptions,
): ClaudeCodeSettings {
  const ttlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const margin = Math.min(300, Math.floor(ttlSeconds / 4));
  const settings: ClaudeCodeSettings = {
    apiKeyHelper: options.apiKeyHelper,
    env: {
      CLAUDE_CODE_USE_BEDROCK: "1",
      ANTHROPIC_BEDROCK_BASE_URL: options.gatewayUrl.replace(/\/+$/, ""),
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: "1",
      AWS_REGION: options.awsRegion ?? "us-east-1",
      CLAUDE_CODE_API_KEY_HELPER_TTL_MS: String((ttlSeconds - margin) * 1000),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
    skipWebFetchPreflight: true,
  };
  for (const alias of CLAUDE_CODE_ALIASES) {
    const id = options.aliasModels?.[alias];
    if (id !== undefined) settings.env[ALIAS_ENV[alias]] = id;
  }
  if (options.denyUnsupportedTools ?? true) settings.permissions = { deny: ["WebSearch"] };
  return settings;
}
