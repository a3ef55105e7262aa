/**
 * The gateway's settings as a zod schema of its environment variables: each
 * documented with `.meta()`, which `deno task docs:config` turns into
 * docs/configuration.md. `loadGatewayConfig` (config.ts) validates them.
 *
 * @module
 */
import { z } from "zod";
import { millisecondsSetting } from "./milliseconds_setting.ts";

const positiveInt = (fallback: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().positive(),
  ).optional().transform((v) => v ?? fallback).meta({ accepts: "whole number, at least 1" });

/** A retention in days: 0 (keep forever) to 36,500 (a hundred years). */
const retentionDays = (fallback: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform((v) =>
    Math.min(Number(v), Number.MAX_VALUE)
  ).pipe(z.number().max(36_500, "must be at most 36500 (0 keeps forever)")).optional().transform((
    v,
  ) => v ?? fallback).meta({
    accepts: "whole number of days, 0 (keep forever) to 36500",
  });

export { MAX_TIMER_MS } from "./milliseconds_setting.ts";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const regionList = z.string().transform((v, ctx) => {
  const regions = v.split(",").map((r) => r.trim()).filter((r) => r !== "");
  if (regions.length === 0 || !regions.every((r) => REGION.test(r))) {
    ctx.addIssue({ code: "custom", message: "must be a comma-separated list of AWS regions" });
    return z.NEVER;
  }
  return [...new Set(regions)];
}).optional().meta({ accepts: "comma-separated AWS regions" });

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/**
 * The gateway's settings, read from environment variables. Every key is
 * documented here; `loadGatewayConfig` validates them once at start-up.
 */
export const gatewayEnvSchema = z.object({
  CCGATE_ENV: z.enum(["development", "production"]).optional().transform((v) => v ?? "development")
    .meta({
      description:
        "`development` or `production`. Production (implied on Deno Deploy) never starts the local emulators or uses generated development settings, and requires `AWS_REGION`, an Entra ID tenant and an https `CCGATE_ISSUER`.",
      defaultText: "`development`; `production` on Deno Deploy",
      example: "production",
    }),
  CCGATE_ISSUER: url.optional().meta({
    description:
      "The auth service's public URL: the `iss` of ccgate access tokens, which the auth service signs and the gateway requires. Required in production (https) and by `gateway/main.ts`; in development `main.ts` uses its own URL.",
    accepts: "http(s) URL",
    defaultText: "this server's URL in development; required in production",
    example: "https://ccgate.example.com",
  }),
  CCGATE_AUDIENCE: z.string().min(1).optional().transform((v) => v ?? "ccgate").meta({
    description:
      "The `aud` of ccgate access tokens: the auth service issues it and the gateway requires it, so both must have the same value.",
    defaultText: "`ccgate`",
    example: "ccgate-prod",
  }),
  CCGATE_JWKS_URL: url.optional().meta({
    description:
      "JWKS URL of a separately deployed auth service, for `gateway/main.ts` (cached; refetched on an unknown key id after a cooldown). `main.ts` verifies with its in-process key ring.",
    defaultText: "`{CCGATE_ISSUER}/.well-known/jwks.json`",
    example: "https://auth.ccgate.example.com/.well-known/jwks.json",
  }),
  CCGATE_REVOCATIONS_URL: url.optional().meta({
    description:
      "Revocation feed of a separately deployed auth service, pulled by `gateway/main.ts` every `CCGATE_REVOCATION_REFRESH_MS`.",
    defaultText: "`{CCGATE_ISSUER}/oauth/revocations`",
    example: "https://auth.ccgate.example.com/oauth/revocations",
  }),
  CCGATE_REVOCATION_REFRESH_MS: millisecondsSetting(5_000, 1).meta({
    description:
      "How often revoked sessions are pulled into memory, in milliseconds (from KV in `main.ts` and `auth/main.ts`, from the auth service's revocation feed in `gateway/main.ts`): the bound on how long a revoked session's tokens keep working.",
    example: "2000",
  }),
  CCGATE_REVOCATION_STALE_MS: millisecondsSetting(60_000, 1).meta({
    description:
      "`gateway/main.ts`: how long the auth service's revocation feed may go without a successful pull, in milliseconds, before `/readyz` answers 503 (`revocations` check) and a warning is logged (once; another line when a pull succeeds again). Tokens are still served meanwhile, but sessions revoked since are not refused. Must be more than `CCGATE_REVOCATION_REFRESH_MS`.",
    example: "30000",
  }),
  CCGATE_CLOCK_SKEW_SECONDS: positiveInt(30).meta({
    description:
      "Tolerated clock skew for the `exp` and `nbf` of ccgate access tokens, in seconds.",
    example: "60",
  }),
  CCGATE_PING_INTERVAL_MS: millisecondsSetting(10_000, 1).meta({
    description:
      "Send `event: ping` on a stream after this many milliseconds of upstream silence (Claude Code gives up on a stream that is silent for about 20 s).",
    example: "5000",
  }),
  CCGATE_MAX_BODY_BYTES: positiveInt(32 * 1024 * 1024).meta({
    description:
      "Largest request body, in bytes; a larger one is answered 413 `request_too_large`.",
    example: "10485760",
  }),
  CCGATE_MODEL_PREFIX: z.enum(["us", "eu", "apac", "jp", "au", "global", "none"]).optional()
    .transform((v) => v ?? "us").meta({
      description:
        "Cross-region inference profile prefix for the built-in model table (`us.anthropic.claude-...`); `none` uses plain foundation model ids.",
      example: "eu",
    }),
  CCGATE_MODELS: z.string().optional().transform((v, ctx) => {
    if (v === undefined) return {};
    try {
      const parsed = z.record(z.string(), z.string().min(1)).parse(JSON.parse(v));
      return parsed;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a JSON object of {"alias": "model id"}' });
      return z.NEVER;
    }
  }).meta({
    description:
      'Extra model aliases added to the built-in table, as a JSON object `{"alias": "Bedrock model or inference profile id"}`. For an application inference profile ARN, name the alias after the Claude model behind it (`claude-opus-4-6`): the request rules (betas, effort, thinking) are those of the model the client named when the id does not say.',
    accepts: "JSON object of strings",
    example: '{"claude-team":"eu.anthropic.claude-sonnet-4-5-20250929-v1:0"}',
  }),
  CCGATE_MODEL_FALLBACK: z.string().refine(
    (v) => v === "off" || v.includes("{name}"),
    'must be "off" or a template containing {name}, e.g. {profile}anthropic.{name}{version}',
  ).optional().meta({
    description:
      "Bedrock id template for Claude model names not in the table (`{profile}`, `{name}`, `{version}`), or `off` to answer 404 for them. Only names shaped like Claude model ids are sent to Bedrock this way (`claude-{opus|sonnet|haiku}-{major}[-{minor}][-{YYYYMMDD}]` or `claude-{major}[-{minor}]-{family}[-{YYYYMMDD}]`); any other `claude-*` name is a 404.",
    accepts: "`off`, or a template containing `{name}`",
    defaultText: "`{profile}anthropic.{name}{version}`",
    example: "off",
  }),
  CCGATE_ALLOW_RAW_MODEL_IDS: z.enum(["true", "false"]).optional().transform((v) => v !== "false")
    .meta({
      description:
        "Accept raw Bedrock model ids and inference profile ARNs as `model`, besides Anthropic model names.",
      example: "false",
    }),
  CCGATE_BEDROCK_REGIONS: regionList.meta({
    description:
      "Bedrock regions in order of preference; the gateway fails over from one to the next before the first byte of an answer. With a policy (`CCGATE_POLICY`), a region a catalogue entry with per-region ids does not list is skipped for that entry's requests.",
    defaultText: "`AWS_REGION`, else `us-east-1`",
    example: "us-east-1,us-west-2",
  }),
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
  }).optional().transform((v) => v ?? {}).meta({
    description: "Endpoint overrides per region (VPC interface endpoints, emulators).",
    accepts: "comma-separated `region=URL` pairs",
    defaultText:
      "`AWS_ENDPOINT_URL_BEDROCK_RUNTIME` for the first region, the public endpoint for the others",
    example: "us-east-1=https://bedrock-runtime.us-east-1.vpce.example.com",
  }),
  CCGATE_FAILOVER_PROFILES: z.string().regex(
    /^\s*(us|eu|apac|jp|au|ca|global)(\s*,\s*(us|eu|apac|jp|au|ca|global))*\s*$/,
    "must be a comma-separated list of us, eu, apac, jp, au, ca, global",
  ).optional().transform((v) => v === undefined ? [] : v.split(",").map((p) => p.trim())).meta({
    description:
      "Inference profile prefixes to fail over to after every region failed, comma-separated, e.g. `global` (a `us.` id is retried as `global.`). Another profile routes the call through other geographies (`global.` anywhere in the world): without a policy file nothing stops that, so leave this unset where data must stay in one geography. With a policy (`CCGATE_POLICY`), failover only tries ids the admitted catalogue entry lists (in its regions), so an unlisted profile is skipped.",
    accepts: "comma-separated list of `us`, `eu`, `apac`, `jp`, `au`, `ca`, `global`",
    example: "global",
  }),
  CCGATE_BEDROCK_SERVICE_TIERS: z.string().regex(
    /^\s*(priority|default|flex|reserved)(\s*,\s*(priority|default|flex|reserved))*\s*$/,
    "must be a comma-separated list of priority, default, flex, reserved",
  ).optional().transform((v) =>
    v === undefined ? undefined : [...new Set(v.split(",").map((t) => t.trim()))]
  ).meta({
    description:
      "Bedrock service tiers a Bedrock-native client may ask for with `X-Amzn-Bedrock-Service-Tier` (Claude Code: `ANTHROPIC_BEDROCK_SERVICE_TIER`); another tier is refused with 403 `AccessDeniedException`. `default` (the standard tier) is always allowed. `priority` costs more than standard, `flex` less; the ledger records the tier but prices every request at the standard rate.",
    accepts: "comma-separated list of `priority`, `default`, `flex`, `reserved`",
    defaultText: "every tier",
    example: "default,flex",
  }),
  CCGATE_RETRY_MAX_ATTEMPTS: positiveInt(3).meta({
    description:
      "Most attempts per Bedrock call, the first included (throttling, 5xx, timeout, unreachable).",
    example: "5",
  }),
  CCGATE_RETRY_BASE_MS: millisecondsSetting(100, 0).meta({
    description:
      "Ceiling of the first retry's jittered delay, ms; doubles per retry. 0 retries at once.",
    example: "250",
  }),
  CCGATE_RETRY_MAX_DELAY_MS: millisecondsSetting(2_000, 0).meta({
    description: "Largest backoff ceiling, ms.",
    example: "5000",
  }),
  CCGATE_BREAKER_FAILURES: positiveInt(5).meta({
    description: "Consecutive failures that open an upstream's (region × model) circuit.",
    example: "10",
  }),
  CCGATE_BREAKER_COOLDOWN_MS: millisecondsSetting(30_000, 1).meta({
    description: "How long an open circuit is skipped before one probe call, ms.",
    example: "60000",
  }),
  CCGATE_FIRST_BYTE_TIMEOUT_MS: millisecondsSetting(120_000, 1).meta({
    description: "Time to a stream's first event before failing over, ms.",
    example: "60000",
  }),
  CCGATE_IDLE_TIMEOUT_MS: millisecondsSetting(300_000, 1).meta({
    description:
      "Longest silence from Bedrock mid-stream before the stream ends with an error, ms.",
    example: "120000",
  }),
  CCGATE_TOTAL_TIMEOUT_MS: millisecondsSetting(1_800_000, 1).meta({
    description: "Longest whole request (retries and stream included), ms.",
    example: "3600000",
  }),
  CCGATE_MAX_HEADER_BYTES: positiveInt(32 * 1024).meta({
    description: "Largest request header section (names + values), bytes; 400 above.",
    example: "16384",
  }),
  CCGATE_MAX_JSON_DEPTH: positiveInt(64).meta({
    description: "Deepest JSON nesting accepted in a request body; 400 above.",
    example: "32",
  }),
  CCGATE_MAX_MESSAGES: positiveInt(10_000).meta({
    description: "Most `messages` in one request; 400 above.",
    example: "5000",
  }),
  CCGATE_MAX_TOOLS: positiveInt(1_000).meta({
    description: "Most `tools` in one request; 400 above.",
    example: "500",
  }),
  CCGATE_MAX_SYSTEM_BLOCKS: positiveInt(1_000).meta({
    description: "Most `system` blocks in one request; 400 above.",
    example: "100",
  }),
  CCGATE_MAX_CONCURRENT_STREAMS: positiveInt(4_096).meta({
    description:
      "Most Bedrock calls (streams included) in flight per instance; 529 above. The memory budget (`CCGATE_MEMORY_LIMIT_MB`) usually binds first.",
    example: "1000",
  }),
  CCGATE_MEMORY_LIMIT_MB: z.string().regex(/^\d+$/, "must be a whole number").transform(Number)
    .optional().meta({
      description:
        "Memory this instance may use, MiB: 80 % of it, less 128 MiB for the process, is the budget for requests in flight, each estimated from its body size (about 1 MiB for a Claude Code request of 80 KB); above it new requests get 529, and a request too large for it alone 413. Unset: the container's cgroup limit, else 512 on Deno Deploy (its limit per isolate), else the machine's memory. `0`: no memory budget, only `CCGATE_MAX_CONCURRENT_STREAMS`.",
      example: "2048",
      accepts: "whole number (MiB)",
    }),
  CCGATE_MEMORY_USER_PERCENT: z.string().regex(/^\d+$/, "must be a whole number").transform(
    Number,
  ).pipe(z.number().int().min(1).max(100, "must be at most 100")).optional().transform((v) =>
    v ?? 60
  ).meta({
    description:
      "Share of the memory budget one user's requests in flight may hold together, percent, so that one user (a slow upload of a large body, many parallel long conversations) cannot take the whole instance: beyond it that user's further requests get 429 (`retry-after: 1`), and a request larger than the share on its own 413. The default leaves room, in 512 MiB (Deno Deploy's limit), for one request of Bedrock's largest payload (20 MB). `100`: no share.",
    example: "25",
    accepts: "whole number, 1 to 100",
  }),
  CCGATE_DRAIN_DEADLINE_MS: millisecondsSetting(25_000, 0).meta({
    description:
      "On SIGTERM, how long running streams may take to finish before they are ended, ms.",
    example: "60000",
  }),
  CCGATE_DRAIN_DELAY_MS: millisecondsSetting(0, 0).meta({
    description:
      "On SIGTERM, how long the instance keeps accepting connections and serving after `/readyz` turns 503 (`draining`), ms, before it stops listening and the drain deadline starts: the time a load balancer or Kubernetes needs to stop sending it new connections. 0 stops listening at once.",
    example: "5000",
  }),
  CCGATE_ADMIN_ROLE: z.string().min(1).optional().transform((v) => v ?? "ccgate.admin").meta({
    description:
      "App role (in the token's `roles` claim) that may use the admin API and dashboard (`/admin/*`).",
  }),
  CCGATE_ADMIN_TENANTS: z.string().transform((v) =>
    v.split(",").map((t) => t.trim()).filter((t) => t !== "")
  ).pipe(z.array(z.string()).min(1, "must name at least one tenant id")).optional().meta({
    description:
      "Tenants whose admins (`CCGATE_ADMIN_ROLE`) see every tenant in the admin API (`/admin/api/*`: usage, audit, budget overrides). With several allowlisted tenants each tenant grants the admin role itself, so an admin of any other tenant sees their own tenant's usage only (summary, usage rows, entries, a user's policy) and is refused (403) the audit log and budget overrides. Set it, or `ENTRA_TENANT_ID`, on a separately deployed gateway (`gateway/main.ts`) of a multi-tenant allowlist; with neither set, every admin sees every tenant.",
    accepts: "comma-separated tenant ids",
    defaultText: "the first tenant of `ENTRA_TENANT_ID`",
    example: "11111111-1111-1111-1111-111111111111",
  }),
  CCGATE_LEDGER_FLUSH_MS: millisecondsSetting(1_000, 1).meta({
    description:
      "Usage ledger: roll up logged entries into the daily sums this long after the first one, and try a failed write again after it, ms. Entries reach KV's write-ahead log before this, within `CCGATE_LEDGER_WRITE_MS`.",
  }),
  CCGATE_LEDGER_WRITE_MS: millisecondsSetting(50, 0).meta({
    description:
      "Usage ledger: least time between two commits to KV's write-ahead log, ms. Entries of requests that end meanwhile go together in the next commit, so a busy gateway makes at most one commit per interval instead of one per request; an entry after a quiet interval is written at once. A process killed without draining (`SIGKILL`, out of memory) loses at most this interval's entries. `0`: a commit per request.",
  }),
  CCGATE_LEDGER_OPEN_REFRESH_MS: millisecondsSetting(15_000, 0).meta({
    description:
      "Usage ledger: how often the open record of each request in flight is written again with what it has used since (a stream's output so far), ms, so that a gateway that dies mid-request is charged it. A non-streamed call gets its first open record at the first refresh it is still running at. A crash loses at most this long of a stream's output. Each refresh writes one small record per open stream whose output grew, in the usual group commits.",
  }),
  CCGATE_LEDGER_RETENTION_DAYS: retentionDays(400).meta({
    description:
      'Usage ledger: days the per-request entries (`["ledger", "entry", day, id]`, about 1 KB each) and their per-user and per-tenant indexes are kept; an hourly `Deno.cron` run deletes older days (day today − N is kept). The admin API reads at most 366 days back. `0`: keep forever.',
    example: "120",
  }),
  CCGATE_USAGE_RETENTION_DAYS: retentionDays(0).meta({
    description:
      'Usage ledger: days the daily roll-ups (`["usage", day, ...]`: usage rows, group members, tenant rows, request statistics) are kept, deleted by the same hourly run. They are small and are what cost reports read. `0`: keep forever.',
    example: "1100",
  }),
  CCGATE_AUDIT_RETENTION_DAYS: retentionDays(400).meta({
    description:
      "Admin audit log: days its records and denied-call counters are kept, deleted by the same hourly run. `0`: keep forever.",
    example: "730",
  }),
  CCGATE_POLICY: z.string().min(1).optional().meta({
    description:
      "Path of the policy file (YAML or JSON): model catalogue and prices, allowed models, `max_tokens`, rate, concurrency and budget limits per role, group and user. Validated at start-up (an invalid file stops the start naming the key), re-read every `CCGATE_POLICY_RELOAD_MS`. Unset: no policy (every model, no limits). See `docs/policy.example.yaml`.",
    accepts: "file path",
    example: "/etc/ccgate/policy.yaml",
  }),
  CCGATE_INSTALL_DIR: z.string().min(1).optional().meta({
    description:
      "A folder made by `ccgate mirror` (Claude Code release binaries, verified, laid out like the release bucket), served read-only and without sign-in at `/install/`, for `ccgate install --with-claude-code` on machines without internet. Unset: no `/install/` route.",
    accepts: "folder path",
    example: "/srv/ccgate/claude-code-mirror",
  }),
  CCGATE_METRICS_TOKEN: z.string().regex(
    /^[A-Za-z0-9\-._~+/]{32,}=*$/,
    "must be at least 32 characters: letters, digits and -._~+/ (a bearer token)",
  )
    .optional().meta({
      description:
        "Bearer token Prometheus must send to read `/metrics` (`Authorization: Bearer <token>`; in a scrape config, `authorization: { credentials: ... }`). Unset: `/metrics` answers anyone who can reach it, which on a public URL (Deno Deploy) includes the internet. A secret: never logged.",
      accepts: "secret, 32 characters or more of letters, digits and -._~+/",
      example: "(output of `openssl rand -hex 32`)",
    }),
  CCGATE_POLICY_RELOAD_MS: millisecondsSetting(5_000, 0).meta({
    description:
      "How often the policy file is re-read, ms (a bad edit is logged and the previous policy kept); 0 never re-reads.",
  }),
  CCGATE_POLICY_SYNC_MS: millisecondsSetting(5_000, 1).meta({
    description:
      "How often an instance adds its policy counters (requests, tokens, dollars) to the shared KV and reads everyone's totals, ms. Bounds how far several instances can overshoot a limit together (gateway/policy/README.md).",
  }),
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like us-east-1")
    .optional().meta({
      description:
        "AWS region of Bedrock, and the first region of `CCGATE_BEDROCK_REGIONS`. Required in production; with neither it nor `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` set, development answers from the local Bedrock emulator.",
      accepts: "AWS region",
      example: "us-east-1",
    }),
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url.optional().meta({
    description:
      "Bedrock Runtime endpoint override: a VPC interface endpoint, or an emulator. The standard AWS SDK variable.",
    example: "https://bedrock-runtime.us-east-1.vpce.example.com",
  }),
});
