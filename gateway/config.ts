import { z } from "zod";

const positiveInt = (fallback: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().positive(),
  ).optional().transform((v) => v ?? fallback);

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/**
 * The gateway's settings, read from environment variables. Every key is
 * documented here; `loadGatewayConfig` validates them once at start-up.
 */
export const gatewayEnvSchema = z.object({
  /** `development` (default) or `production`: production refuses emulators and dev keys. */
  CCGATE_ENV: z.enum(["development", "production"]).optional().transform((v) => v ?? "development"),
  /** Issuer (`iss`) expected in ccgate access tokens: the auth service's public URL. */
  CCGATE_ISSUER: url.optional(),
  /** Audience (`aud`) expected in ccgate access tokens. */
  CCGATE_AUDIENCE: z.string().min(1).optional().transform((v) => v ?? "ccgate"),
  /** JWKS URL of a separately deployed auth service; unset means the in-process key ring. */
  CCGATE_JWKS_URL: url.optional(),
  /** Tolerated clock skew for token `exp`/`nbf`, in seconds. */
  CCGATE_CLOCK_SKEW_SECONDS: positiveInt(30),
  /** Send `event: ping` after this many milliseconds of upstream silence. */
  CCGATE_PING_INTERVAL_MS: positiveInt(10_000),
  /** Maximum request body, in bytes. */
  CCGATE_MAX_BODY_BYTES: positiveInt(32 * 1024 * 1024),
  /** Cross-region inference profile prefix for mapped models: `us`, `eu`, `apac`, `global`, or `none`. */
  CCGATE_MODEL_PREFIX: z.enum(["us", "eu", "apac", "jp", "au", "global", "none"]).optional()
    .transform((v) => v ?? "us"),
  /** JSON object of extra model aliases: `{"alias": "bedrock-model-or-profile-id"}`. */
  CCGATE_MODELS: z.string().optional().transform((v, ctx) => {
    if (v === undefined) return {};
    try {
      const parsed = z.record(z.string(), z.string().min(1)).parse(JSON.parse(v));
      return parsed;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a JSON object of {"alias": "model id"}' });
      return z.NEVER;
    }
  }),
  /**
   * Bedrock id template for `claude-*` names not in the table (`{profile}`,
   * `{name}`, `{version}`), or `off` to answer 404 for them.
   */
  CCGATE_MODEL_FALLBACK: z.string().refine(
    (v) => v === "off" || v.includes("{name}"),
    'must be "off" or a template containing {name}, e.g. {profile}anthropic.{name}{version}',
  ).optional(),
  /** Accept raw Bedrock model ids and inference profile ARNs as `model`. */
  CCGATE_ALLOW_RAW_MODEL_IDS: z.enum(["true", "false"]).optional().transform((v) => v !== "false"),
  /** AWS region of Bedrock. */
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like us-east-1")
    .optional(),
  /** Bedrock Runtime endpoint override (VPC endpoint, local emulator). */
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url.optional(),
});

/** Validated gateway configuration. */
export interface GatewayConfig {
  /** `development` or `production`. */
  env: "development" | "production";
  /** Expected token issuer; unset means "the auth service in this process" (filled in by main). */
  issuer?: string;
  /** Expected token audience. */
  audience: string;
  /** JWKS URL of a separately deployed auth service. */
  jwksUrl?: string;
  /** Tolerated clock skew, seconds. */
  clockSkewSeconds: number;
  /** Ping after this much upstream silence, milliseconds. */
  pingIntervalMs: number;
  /** Maximum request body, bytes. */
  maxBodyBytes: number;
  /** Inference profile prefix for mapped model names (`none`: plain model ids). */
  modelPrefix: string;
  /** Extra model aliases. */
  modelAliases: Record<string, string>;
  /** Template for unknown `claude-*` names; `false` turns the rule off; unset is the default rule. */
  modelFallback?: string | false;
  /** Whether raw Bedrock ids are accepted as `model`. */
  allowRawModelIds: boolean;
  /** AWS region, if configured. */
  awsRegion?: string;
  /** Bedrock Runtime endpoint override, if configured. */
  bedrockEndpoint?: string;
}

/** The configuration is invalid: the message names the setting. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates the gateway's environment.
 *
 * @param env Environment variables (for example `Deno.env.toObject()`).
 * @returns The typed configuration.
 * @throws {ConfigError} Naming the first bad setting: `Invalid setting CCGATE_PING_INTERVAL_MS: must be a whole number`.
 */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(gatewayEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = gatewayEnvSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? "environment");
    throw new ConfigError(`Invalid setting ${key}: ${issue.message}`);
  }
  const e = result.data;
  return {
    env: e.CCGATE_ENV,
    issuer: e.CCGATE_ISSUER,
    audience: e.CCGATE_AUDIENCE,
    jwksUrl: e.CCGATE_JWKS_URL,
    clockSkewSeconds: e.CCGATE_CLOCK_SKEW_SECONDS,
    pingIntervalMs: e.CCGATE_PING_INTERVAL_MS,
    maxBodyBytes: e.CCGATE_MAX_BODY_BYTES,
    modelPrefix: e.CCGATE_MODEL_PREFIX,
    modelAliases: e.CCGATE_MODELS,
    modelFallback: e.CCGATE_MODEL_FALLBACK === "off" ? false : e.CCGATE_MODEL_FALLBACK,
    allowRawModelIds: e.CCGATE_ALLOW_RAW_MODEL_IDS,
    awsRegion: e.AWS_REGION,
    bedrockEndpoint: e.AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
  };
}
