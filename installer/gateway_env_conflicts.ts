/**
 * The Claude Code environment variables that keep it away from ccgate, per
 * install mode. Read from the bundle of `@anthropic-ai/claude-code` 2.1.197:
 * its provider switch is
 * `CLAUDE_CODE_USE_BEDROCK ? "bedrock" : CLAUDE_CODE_USE_FOUNDRY ? "foundry" :
 * CLAUDE_CODE_USE_ANTHROPIC_AWS ? ... : CLAUDE_CODE_USE_MANTLE ? ... :
 * CLAUDE_CODE_USE_VERTEX ? "vertex" : "firstParty"`; 2.1.332 adds
 * `CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD` (checked with the real 2.1.332: set
 * in anthropic mode, no request reaches the gateway; Bedrock mode wins over
 * it) and `CLAUDE_CODE_USE_GATEWAY` (Claude Code's own gateway sign-in; set
 * alone, without a gateway signed in to, requests still reach ccgate, so it is
 * not reported); its Bedrock client sends
 * `Bearer ${AWS_BEARER_TOKEN_BEDROCK}` in place of the apiKeyHelper's token
 * when that is set; and it applies every settings file's `env` over the
 * process environment (`Object.assign(process.env, settings.env)`, user
 * settings first, managed settings last). The docs
 * (https://code.claude.com/docs/en/env-vars): `ANTHROPIC_API_KEY` is sent as
 * `X-Api-Key`, `ANTHROPIC_AUTH_TOKEN` is the `Authorization: Bearer` value.
 *
 * @module
 */

/** ccgate's install modes. */
export type GatewayMode = "anthropic" | "bedrock";

/** One variable that keeps Claude Code away from the gateway. */
export interface EnvConflict {
  /** The variable's name (never its value: it may be a key). */
  name: string;
  /** What Claude Code does with it. */
  why: string;
}

/** Variables that switch Claude Code to another provider (anthropic mode). */
const PROVIDER_SWITCHES: Readonly<Record<string, string>> = {
  CLAUDE_CODE_USE_BEDROCK: "sends every request to AWS Bedrock directly, never to the gateway",
  CLAUDE_CODE_USE_VERTEX: "sends every request to Google Vertex AI directly, never to the gateway",
  CLAUDE_CODE_USE_FOUNDRY: "sends every request to Microsoft Foundry, never to the gateway",
  CLAUDE_CODE_USE_ANTHROPIC_AWS: "sends every request to Claude on AWS, never to the gateway",
  CLAUDE_CODE_USE_MANTLE: "sends every request to Bedrock Mantle, never to the gateway",
  CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD:
    "sends every request to Claude on Google Cloud, never to the gateway",
};

/** Credentials that replace or ride along with ccgate's token (both modes). */
const CREDENTIALS: Readonly<Record<string, string>> = {
  ANTHROPIC_API_KEY:
    "is sent as x-api-key beside the ccgate token: the key leaves this machine and the gateway refuses the request",
  ANTHROPIC_AUTH_TOKEN: "replaces the ccgate token in the Authorization header",
};

/** Credentials that replace ccgate's token in Claude Code's Bedrock mode. */
const BEDROCK_CREDENTIALS: Readonly<Record<string, string>> = {
  AWS_BEARER_TOKEN_BEDROCK: "replaces the ccgate token in the Authorization header",
};

/** Model variables a Bedrock- or Vertex-style id breaks in anthropic mode. */
const MODEL_VARIABLE =
  /^(?:ANTHROPIC_MODEL|ANTHROPIC_SMALL_FAST_MODEL|ANTHROPIC_DEFAULT_[A-Z0-9_]+_MODEL)$/;

/** `1`, `true`, `yes`, `on` (any case): what Claude Code takes as "set". */
const truthy = (v: unknown) => typeof v === "string" && /^(?:1|true|yes|on)$/i.test(v.trim());

/**
 * Whether a model id names a Bedrock model (`eu.anthropic.claude-...`,
 * `anthropic.claude-...`, an `arn:` inference profile) or a Vertex one
 * (`claude-sonnet-4-5@20250929`): the Messages API behind the gateway
 * answers those with HTTP 400. Pure.
 */
export function isProviderModelId(id: string): boolean {
  const v = id.trim();
  return v.startsWith("arn:") || /^(?:[a-z-]+\.)?anthropic\./.test(v) || v.includes("@");
}

/**
 * The variables in `env` that keep Claude Code away from the gateway in
 * `mode`, in `env`'s order. Anthropic mode: another provider switched on,
 * personal credentials, a Bedrock- or Vertex-style model id. Bedrock mode
 * (ccgate itself sets `CLAUDE_CODE_USE_BEDROCK`, which wins over the other
 * provider switches): personal credentials and `AWS_BEARER_TOKEN_BEDROCK`.
 * Empty values are no conflict. Pure.
 *
 * @param mode The install mode.
 * @param env A settings file's `env`, or the process environment.
 * @returns The conflicts, by name (never a value).
 *
 * @example
 * ```ts
 * import { gatewayEnvConflicts } from "./gateway_env_conflicts.ts";
 * const found = gatewayEnvConflicts("anthropic", { CLAUDE_CODE_USE_BEDROCK: "1", FOO: "x" });
 * console.assert(found.map((c) => c.name).join() === "CLAUDE_CODE_USE_BEDROCK");
 * ```
 */
export function gatewayEnvConflicts(
  mode: GatewayMode,
  env: Readonly<Record<string, unknown>>,
): EnvConflict[] {
  const found: EnvConflict[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== "string" || value.trim() === "") continue;
    const why = (mode === "anthropic" && truthy(value) ? PROVIDER_SWITCHES[name] : undefined) ??
      CREDENTIALS[name] ??
      (mode === "bedrock" ? BEDROCK_CREDENTIALS[name] : undefined) ??
      (mode === "anthropic" && MODEL_VARIABLE.test(name) && isProviderModelId(value)
        ? "holds a Bedrock- or Vertex-style model id, which the gateway answers with HTTP 400"
        : undefined);
    if (why) found.push({ name, why });
  }
  return found;
}

/** Every variable name {@linkcode gatewayEnvConflicts} may report, for reading a process environment. */
export function gatewayEnvNames(mode: GatewayMode): string[] {
  return [
    ...(mode === "anthropic" ? Object.keys(PROVIDER_SWITCHES) : []),
    ...Object.keys(CREDENTIALS),
    ...(mode === "bedrock" ? Object.keys(BEDROCK_CREDENTIALS) : []),
    ...(mode === "anthropic"
      ? [
        "ANTHROPIC_MODEL",
        "ANTHROPIC_SMALL_FAST_MODEL",
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
      ]
      : []),
  ];
}

/**
 * The mode a set of ccgate settings is for: `bedrock` when it switches
 * Claude Code's Bedrock mode on, `anthropic` when it sets
 * `ANTHROPIC_BASE_URL`, else none (not gateway settings). Pure.
 */
export function gatewayModeOf(
  settings: Readonly<Record<string, unknown>>,
): GatewayMode | undefined {
  const env = settings.env;
  if (typeof env !== "object" || env === null || Array.isArray(env)) return undefined;
  const e = env as Record<string, unknown>;
  if (e.CLAUDE_CODE_USE_BEDROCK === "1" && typeof e.ANTHROPIC_BEDROCK_BASE_URL === "string") {
    return "bedrock";
  }
  return typeof e.ANTHROPIC_BASE_URL === "string" ? "anthropic" : undefined;
}
