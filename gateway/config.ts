import { z } from "zod";

const positiveInt = (fallback: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().positive(),
  ).optional().transform((v) => v ?? fallback);

const wholeNumber = (fallback: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).optional().transform((
    v,
  ) => v ?? fallback);

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const regionList = z.string().transform((v, ctx) => {
  const regions = v.split(",").map((r) => r.trim()).filter((r) => r !== "");
  if (regions.length === 0 || !regions.every((r) => REGION.test(r))) {
    ctx.addIssue({ code: "custom", message: "must be a comma-separated list of AWS regions" });
    return z.NEVER;
  }
  return [...new Set(regions)];
}).optional();

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
  /** Revocation feed of a separately deployed auth service (default: `{issuer}/oauth/revocations`). */
  CCGATE_REVOCATIONS_URL: url.optional(),
  /** How often a separately deployed gateway pulls the revocation feed, milliseconds. */
  CCGATE_REVOCATION_REFRESH_MS: positiveInt(5_000),
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
  /**
   * Bedrock regions in order of preference, comma-separated; the gateway fails
   * over from one to the next before the first byte. Default: `AWS_REGION`.
   */
  CCGATE_BEDROCK_REGIONS: regionList,
  /**
   * Endpoint overrides per region, comma-separated `region=url` (VPC
   * endpoints, emulators). Default: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` for the
   * first region, the public endpoint for the others.
   */
  CCGATE_BEDROCK_ENDPOINTS: z.string().transform((v, ctx) => {
    const out: Record<string, string> = {};
    for (const part of v.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
      const at = part.indexOf("=");
      const region = part.slice(0, at);
      const endpoint = part.slice(at + 1);
      if (at < 1 || !REGION.test(region) || !url.safeParse(endpoint).success) {
        ctx.addIssue({
          code: "custom",
          message: "must be comma-separated region=http(s)-URL pairs",
        });
        return z.NEVER;
      }
      out[region] = endpoint;
    }
    return out;
  }).optional().transform((v) => v ?? {}),
  /**
   * Inference profile prefixes to fail over to after every region failed,
   * comma-separated, e.g. `global` (a `us.` id is retried as `global.`).
   */
  CCGATE_FAILOVER_PROFILES: z.string().regex(
    /^\s*(us|eu|apac|jp|au|ca|global)(\s*,\s*(us|eu|apac|jp|au|ca|global))*\s*$/,
    "must be a comma-separated list of us, eu, apac, jp, au, ca, global",
  ).optional().transform((v) => v === undefined ? [] : v.split(",").map((p) => p.trim())),
  /** Most attempts per Bedrock call, the first included (throttling, 5xx, timeout, unreachable). */
  CCGATE_RETRY_MAX_ATTEMPTS: positiveInt(3),
  /** Ceiling of the first retry's jittered delay, ms; doubles per retry. 0 retries at once. */
  CCGATE_RETRY_BASE_MS: wholeNumber(100),
  /** Largest backoff ceiling, ms. */
  CCGATE_RETRY_MAX_DELAY_MS: wholeNumber(2_000),
  /** Consecutive failures that open an upstream's (region × model) circuit. */
  CCGATE_BREAKER_FAILURES: positiveInt(5),
  /** How long an open circuit is skipped before one probe call, ms. */
  CCGATE_BREAKER_COOLDOWN_MS: positiveInt(30_000),
  /** Time to a stream's first event before failing over, ms. */
  CCGATE_FIRST_BYTE_TIMEOUT_MS: positiveInt(120_000),
  /** Longest silence from Bedrock mid-stream before the stream ends with an error, ms. */
  CCGATE_IDLE_TIMEOUT_MS: positiveInt(300_000),
  /** Longest whole request (retries and stream included), ms. */
  CCGATE_TOTAL_TIMEOUT_MS: positiveInt(1_800_000),
  /** Largest request header section (names + values), bytes; 400 above. */
  CCGATE_MAX_HEADER_BYTES: positiveInt(32 * 1024),
  /** Deepest JSON nesting accepted in a request body; 400 above. */
  CCGATE_MAX_JSON_DEPTH: positiveInt(64),
  /** Most `messages` in one request; 400 above. */
  CCGATE_MAX_MESSAGES: positiveInt(10_000),
  /** Most `tools` in one request; 400 above. */
  CCGATE_MAX_TOOLS: positiveInt(1_000),
  /** Most `system` blocks in one request; 400 above. */
  CCGATE_MAX_SYSTEM_BLOCKS: positiveInt(1_000),
  /** Most Bedrock calls (streams included) in flight per instance; 529 above. */
  CCGATE_MAX_CONCURRENT_STREAMS: positiveInt(4_096),
  /** On SIGTERM, how long running streams may take to finish before they are ended, ms. */
  CCGATE_DRAIN_DEADLINE_MS: wholeNumber(25_000),
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
  /** Revocation feed URL of a separately deployed auth service. */
  revocationsUrl?: string;
  /** Revocation feed pull interval, milliseconds. */
  revocationRefreshMs: number;
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
  /** Bedrock regions in failover order (default: `awsRegion`, else `us-east-1`). */
  bedrockRegions: string[];
  /** Endpoint overrides per region. */
  bedrockEndpoints: Record<string, string>;
  /** Alternative inference profile prefixes to fail over to. */
  failoverProfiles: string[];
  /** Retry: most attempts, backoff base and cap (ms). */
  retry: { maxAttempts: number; baseMs: number; maxDelayMs: number };
  /** Circuit breaker: failures to open, cooldown (ms). */
  breaker: { failures: number; cooldownMs: number };
  /** Timeouts (ms): first byte, idle mid-stream, total. */
  timeouts: { firstByteMs: number; idleMs: number; totalMs: number };
  /** Request limits. */
  limits: {
    maxHeaderBytes: number;
    maxJsonDepth: number;
    maxMessages: number;
    maxTools: number;
    maxSystemBlocks: number;
    maxConcurrentStreams: number;
  };
  /** Drain deadline on shutdown, ms. */
  drainDeadlineMs: number;
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
    revocationsUrl: e.CCGATE_REVOCATIONS_URL,
    revocationRefreshMs: e.CCGATE_REVOCATION_REFRESH_MS,
    clockSkewSeconds: e.CCGATE_CLOCK_SKEW_SECONDS,
    pingIntervalMs: e.CCGATE_PING_INTERVAL_MS,
    maxBodyBytes: e.CCGATE_MAX_BODY_BYTES,
    modelPrefix: e.CCGATE_MODEL_PREFIX,
    modelAliases: e.CCGATE_MODELS,
    modelFallback: e.CCGATE_MODEL_FALLBACK === "off" ? false : e.CCGATE_MODEL_FALLBACK,
    allowRawModelIds: e.CCGATE_ALLOW_RAW_MODEL_IDS,
    awsRegion: e.AWS_REGION,
    bedrockEndpoint: e.AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
    bedrockRegions: e.CCGATE_BEDROCK_REGIONS ?? [e.AWS_REGION ?? "us-east-1"],
    bedrockEndpoints: e.CCGATE_BEDROCK_ENDPOINTS,
    failoverProfiles: e.CCGATE_FAILOVER_PROFILES,
    retry: {
      maxAttempts: e.CCGATE_RETRY_MAX_ATTEMPTS,
      baseMs: e.CCGATE_RETRY_BASE_MS,
      maxDelayMs: e.CCGATE_RETRY_MAX_DELAY_MS,
    },
    breaker: { failures: e.CCGATE_BREAKER_FAILURES, cooldownMs: e.CCGATE_BREAKER_COOLDOWN_MS },
    timeouts: {
      firstByteMs: e.CCGATE_FIRST_BYTE_TIMEOUT_MS,
      idleMs: e.CCGATE_IDLE_TIMEOUT_MS,
      totalMs: e.CCGATE_TOTAL_TIMEOUT_MS,
    },
    limits: {
      maxHeaderBytes: e.CCGATE_MAX_HEADER_BYTES,
      maxJsonDepth: e.CCGATE_MAX_JSON_DEPTH,
      maxMessages: e.CCGATE_MAX_MESSAGES,
      maxTools: e.CCGATE_MAX_TOOLS,
      maxSystemBlocks: e.CCGATE_MAX_SYSTEM_BLOCKS,
      maxConcurrentStreams: e.CCGATE_MAX_CONCURRENT_STREAMS,
    },
    drainDeadlineMs: e.CCGATE_DRAIN_DEADLINE_MS,
  };
}
