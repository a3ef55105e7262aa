import type { ClaudeCodeSettings } from "./claude_code_settings.ts";

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
}

/**
 * Renders the Claude Code settings of `ccgate install --mode bedrock`:
 * Claude Code in its Bedrock mode (`CLAUDE_CODE_USE_BEDROCK=1`) with the
 * gateway as its Bedrock endpoint (`ANTHROPIC_BEDROCK_BASE_URL`), AWS
 * signing switched off (`CLAUDE_CODE_SKIP_BEDROCK_AUTH=1`) so the
 * `apiKeyHelper`'s ccgate token travels as `Authorization: Bearer`, and
 * `AWS_REGION`. The helper is re-run five minutes before the token expires;
 * traffic that would bypass the gateway is switched off. When merged into the
 * user's settings, `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN` and
 * `AWS_BEARER_TOKEN_BEDROCK` there are taken over (the last replaces the
 * ccgate token in Bedrock mode); other provider switches need nothing, as
 * `CLAUDE_CODE_USE_BEDROCK` wins over them. Pure.
 *
 * @param options Gateway, helper, region, token lifetime.
 * @returns The settings.
 *
 * @example
 * ```ts
 * import { claudeCodeBedrockSettings } from "./claude_code_bedrock_settings.ts";
 * const settings = claudeCodeBedrockSettings({
 *   gatewayUrl: "https://ccgate.example.com/",
 *   apiKeyHelper: "/usr/local/bin/ccgate token",
 * });
 * console.assert(settings.env.ANTHROPIC_BEDROCK_BASE_URL === "https://ccgate.example.com");
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
  if (options.denyUnsupportedTools ?? true) settings.permissions = { deny: ["WebSearch"] };
  return settings;
}
