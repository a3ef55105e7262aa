import {
  type ClaudeCodeAliasModels,
  claudeCodeBedrockSettings,
} from "./claude_code_bedrock_settings.ts";
import { claudeCodeSettings } from "./claude_code_settings.ts";
import { InstallerError } from "./errors.ts";
import type { JsonObject } from "./settings_merge.ts";

/** Keys ccgate never sets: they make Claude Code refuse gateway credentials at start-up. */
export const FORBIDDEN_SETTINGS = ["forceLoginMethod", "forceLoginOrgUUID"] as const;

/** Options of {@linkcode ccgateSettings}. */
export interface CcgateSettingsOptions {
  /** `anthropic` (Messages API, the default) or `bedrock` (Claude Code's Bedrock mode). */
  mode: "anthropic" | "bedrock";
  /** The gateway URL. */
  gatewayUrl: string;
  /** The installed `ccgate token` command. */
  apiKeyHelper: string;
  /** Access token lifetime, seconds. @default {3600} */
  accessTokenTtlSeconds?: number;
  /** Deny the server-side tools Bedrock does not offer (WebSearch). @default {true} */
  denyUnsupportedTools?: boolean;
  /**
   * Bedrock mode: the model each of Claude Code's aliases takes, as the
   * gateway chose them (`ANTHROPIC_DEFAULT_*_MODEL`); ignored in anthropic
   * mode, where Claude Code's aliases already take the newest models.
   */
  aliasModels?: ClaudeCodeAliasModels;
  /** Default model (`model` setting), e.g. `claude-sonnet-4-5`. */
  model?: string;
  /** Switch Claude Code's auto-updater off (installed from a mirror). @default {false} */
  disableAutoUpdater?: boolean;
  /** An admin-supplied fragment (permissions, managed MCP servers, ...) merged in. */
  policy?: JsonObject;
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep merge: objects key by key, arrays concatenated without duplicates, scalars replaced. */
function deepMerge(base: JsonObject, extra: JsonObject): JsonObject {
  const out: JsonObject = structuredClone(base);
  for (const [key, value] of Object.entries(extra)) {
    const have = out[key];
    if (isObject(have) && isObject(value)) out[key] = deepMerge(have, value);
    else if (Array.isArray(have) && Array.isArray(value)) {
      const seen = new Set(have.map((x) => JSON.stringify(x)));
      out[key] = [...have, ...value.filter((x) => !seen.has(JSON.stringify(x)))];
    } else out[key] = structuredClone(value);
  }
  return out;
}

/**
 * The settings ccgate writes for Claude Code: the apiKeyHelper settings of the
 * chosen mode, the default model, and the admin's policy fragment merged in
 * (it may add deny rules, MCP servers, env; it may not set
 * `forceLoginMethod`/`forceLoginOrgUUID`, nor replace `apiKeyHelper`). Pure.
 *
 * @throws {InstallerError} `usage` when the policy sets a forbidden key.
 */
export function ccgateSettings(options: CcgateSettingsOptions): JsonObject {
  const common = {
    gatewayUrl: options.gatewayUrl,
    apiKeyHelper: options.apiKeyHelper,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    denyUnsupportedTools: options.denyUnsupportedTools,
  };
  let settings =
    (options.mode === "bedrock"
      ? claudeCodeBedrockSettings({ ...common, aliasModels: options.aliasModels })
      : claudeCodeSettings(common)) as unknown as JsonObject;
  if (options.model) settings = { ...settings, model: options.model };
  if (options.disableAutoUpdater) {
    settings = deepMerge(settings, { env: { DISABLE_AUTOUPDATER: "1" } });
  }
  if (options.policy) {
    for (const key of [...FORBIDDEN_SETTINGS, "apiKeyHelper"]) {
      if (Object.hasOwn(options.policy, key)) {
        throw new InstallerError(
          "usage",
          `Cannot use the policy file: it sets "${key}", which ccgate must control`,
        );
      }
    }
    settings = deepMerge(settings, options.policy);
  }
  return settings;
}
