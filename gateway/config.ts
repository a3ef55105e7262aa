import { ConfigError } from "./errors.ts";
import { gatewayEnvSchema } from "./gateway_env_schema.ts";
import type { RetentionSettings } from "./ledger/retention_plan.ts";

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
  /** Longest time without a successful pull of the revocation feed before `/readyz` fails, ms. */
  revocationStaleMs: number;
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
  /**
   * Service tiers Bedrock-native clients may ask for (`CCGATE_BEDROCK_SERVICE_TIERS`);
   * `undefined`: every tier. `default` is always allowed.
   */
  bedrockServiceTiers?: string[];
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
    /** Memory limit, MiB: unset, detected (cgroup, Deno Deploy's, the machine's); 0, no memory budget. */
    memoryLimitMb?: number;
    /** Share of the memory budget one user's requests may hold together, 0–1. */
    memoryUserShare: number;
  };
  /** Drain deadline on shutdown, ms. */
  drainDeadlineMs: number;
  /** On shutdown, how long requests are still served after `/readyz` turns 503, ms (0 when unset). */
  drainDelayMs?: number;
  /** App role that may use `/admin/*`. */
  adminRole: string;
  /**
   * Tenants whose admins see every tenant in `/admin/api/*` (others see their own, see
   * `adminTenantScope`): `CCGATE_ADMIN_TENANTS`, else the first tenant of `ENTRA_TENANT_ID`; unset
   * when neither is set (no tenant rule).
   */
  adminTenants?: string[];
  /** Usage ledger roll-up interval (and write retry wait), ms. */
  ledgerFlushMs: number;
  /** Least time between two write-ahead commits of the usage ledger, ms (0: one per entry). */
  ledgerWriteMs: number;
  /** How often the usage ledger writes the open records of requests in flight again, ms. */
  ledgerOpenRefreshMs: number;
  /** Days kept of ledger entries, roll-ups and the audit log (0: forever); see `retentionPlan`. */
  retention: RetentionSettings;
  /** Path of the policy file, if any. */
  policyPath?: string;
  /** The `ccgate mirror` folder served at `/install/`, if any. */
  installDir?: string;
  /** Bearer token required on `/metrics`, if any. */
  metricsToken?: string;
  /** Policy file re-read interval, ms (0: never). */
  policyReloadMs: number;
  /** Policy counters' KV reconcile interval, ms. */
  policySyncMs: number;
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
    revocationStaleMs: e.CCGATE_REVOCATION_STALE_MS,
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
    bedrockServiceTiers: e.CCGATE_BEDROCK_SERVICE_TIERS,
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
      memoryLimitMb: e.CCGATE_MEMORY_LIMIT_MB,
      memoryUserShare: e.CCGATE_MEMORY_USER_PERCENT / 100,
    },
    drainDeadlineMs: e.CCGATE_DRAIN_DEADLINE_MS,
    drainDelayMs: e.CCGATE_DRAIN_DELAY_MS,
    adminRole: e.CCGATE_ADMIN_ROLE,
    adminTenants: e.CCGATE_ADMIN_TENANTS ?? _firstTenant(env.ENTRA_TENANT_ID),
    ledgerFlushMs: e.CCGATE_LEDGER_FLUSH_MS,
    ledgerWriteMs: e.CCGATE_LEDGER_WRITE_MS,
    ledgerOpenRefreshMs: e.CCGATE_LEDGER_OPEN_REFRESH_MS,
    retention: {
      ledgerDays: e.CCGATE_LEDGER_RETENTION_DAYS,
      usageDays: e.CCGATE_USAGE_RETENTION_DAYS,
      auditDays: e.CCGATE_AUDIT_RETENTION_DAYS,
    },
    policyPath: e.CCGATE_POLICY,
    installDir: e.CCGATE_INSTALL_DIR,
    metricsToken: e.CCGATE_METRICS_TOKEN,
    policyReloadMs: e.CCGATE_POLICY_RELOAD_MS,
    policySyncMs: e.CCGATE_POLICY_SYNC_MS,
  };
}

/** The first tenant of an `ENTRA_TENANT_ID` list (the auth service's default admin tenant). */
function _firstTenant(tenants: string | undefined): string[] | undefined {
  const first = tenants?.split(",").map((t) => t.trim()).find((t) => t !== "");
  return first === undefined ? undefined : [first];
}
