/** Options of {@linkcode claudeCodeSettings}. */
export interface ClaudeCodeSettingsOptions {
  /** The gateway's base URL, e.g. `https://ccgate.example.com`. */
  gatewayUrl: string;
  /** The command Claude Code runs to get a token, e.g. `/usr/local/bin/ccgate token`. */
  apiKeyHelper: string;
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

/** The ccgate-owned part of a Claude Code settings file. */
export interface ClaudeCodeSettings {
  /** The command Claude Code runs for a token. */
  apiKeyHelper: string;
  /** Environment for Claude Code: the gateway URL, helper TTL, traffic switches. */
  env: Record<string, string>;
  /** Skip WebFetch's domain preflight to claude.ai (unreachable through a gateway). */
  skipWebFetchPreflight: boolean;
  /** Deny rules (server-side tools Bedrock does not offer). */
  permissions?: { deny: string[] };
}

/**
 * Renders the Claude Code settings that point it at ccgate: `apiKeyHelper`
 * prints a fresh ccgate token, `ANTHROPIC_BASE_URL` is the gateway, the helper
 * is re-run five minutes before the token expires, and traffic that would
 * bypass the gateway is switched off. Never sets `forceLoginMethod` (it blocks
 * gateway credentials at start-up). The user's own `env` variables that would
 * still send Claude Code elsewhere (`CLAUDE_CODE_USE_BEDROCK`,
 * `ANTHROPIC_API_KEY`, ...) are taken over when these are merged in
 * (`mergeSettings()`, rules in `gateway_env_conflicts.ts`).
 *
 * @example
 * ```ts
 * import { claudeCodeSettings } from "./claude_code_settings.ts";
 *
 * const settings = claudeCodeSettings({
 *   gatewayUrl: "https://ccgate.example.com",
 *   apiKeyHelper: "/usr/local/bin/ccgate token",
 * });
 * console.log(settings.env.ANTHROPIC_BASE_URL); // "https://ccgate.example.com"
 * ```
 */
export function claudeCodeSettings(options: ClaudeCodeSettingsOptions): ClaudeCodeSettings {
  const ttlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const margin = Math.min(300, Math.floor(ttlSeconds / 4));
  const settings: ClaudeCodeSettings = {
    apiKeyHelper: options.apiKeyHelper,
    env: {
      ANTHROPIC_BASE_URL: options.gatewayUrl.replace(/\/+$/, ""),
      CLAUDE_CODE_API_KEY_HELPER_TTL_MS: String((ttlSeconds - margin) * 1000),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
    skipWebFetchPreflight: true,
  };
  if (options.denyUnsupportedTools ?? true) settings.permissions = { deny: ["WebSearch"] };
  return settings;
}
