/**
 * ccgate in one process: the gateway and the auth service on one origin, one
 * KV. With no configuration it is the local default: a KV file under
 * `.ccgate/`, generated signing keys, and local emulators of Entra ID and
 * Bedrock — announced in a banner. It is also the simplest Deno Deploy app.
 *
 * This is the only file that reads the environment and starts servers.
 *
 * @module
 */
import type { BedrockEmulator, EntraEmulator } from "@ccgate/emulators";
import type { PolicyFile } from "./gateway/policy/policy_file.ts";
import { listenAddress, listenFirstOrFail, yieldToRequests } from "./gateway/listen_first.ts";
import { cronBeforeListen } from "./gateway/cron_before_listen.ts";
import { RETENTION_CRON_NAME, RETENTION_CRON_SCHEDULE } from "./gateway/ledger/retention_cron.ts";
import type { SigningKeys } from "./auth/signing_keys.ts";
import type { Log } from "./gateway/log.ts";

const EMULATOR_CREDENTIALS = { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" };

function fail(message: string): never {
  console.error(`ccgate: ${message}`);
  Deno.exit(1);
}

const env = Deno.env.toObject();
const onDeploy = env.DENO_DEPLOYMENT_ID !== undefined;
const production = env.CCGATE_ENV === "production" || onDeploy;
const defaultHostname = production ? "0.0.0.0" : "127.0.0.1";
// Deno Deploy picks up only crons registered at the top level before a server starts: registered
// here, before the early listen; each run waits for the signing keys and log, built later.
const keyRotation = cronBeforeListen(
  Deno.cron,
  "ccgate signing key rotation",
  "*/15 * * * *",
  async ({ keys, log }: { keys: SigningKeys; log: Log }) => {
    if (await keys.rotateIfDue()) log({ level: "info", msg: "signing keys rotated" });
  },
);
// Deletes ledger entries, roll-ups and audit records past their retention (CCGATE_*_RETENTION_DAYS),
// hourly at minute 17 (retention_cron.ts); the run is built once KV is open.
const retention = cronBeforeListen(
  Deno.cron,
  RETENTION_CRON_NAME,
  RETENTION_CRON_SCHEDULE,
  (run: () => Promise<void>) => run(),
);
// Bind before the apps' modules load: /healthz answers (the process is alive) while they load,
// /readyz and everything else 503 until the apps are installed. PORT=0 picks a free port, which
// the local issuer URL names. A PORT or HOSTNAME that is not plainly valid waits for the full check.
const early = (() => {
  const address = listenAddress(env, defaultHostname);
  return address && listenFirstOrFail(address, fail);
})();

// The settings first (a bad one stops here, before the rest loads), then the apps in stages with a
// turn of the event loop between them, so /healthz is answered while the rest loads.
await yieldToRequests();
const [{ loadServerEnv }, { loadGatewayConfig }, { systemTimers }, { jsonLog }] = await Promise.all(
  [
    import("./server_env.ts"),
    import("./gateway/config.ts"),
    import("./gateway/timers.ts"),
    import("./gateway/log.ts"),
  ],
);
let serverEnv: ReturnType<typeof loadServerEnv>;
try {
  serverEnv = loadServerEnv(env);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const port = serverEnv.port;
const hostname = serverEnv.hostname ?? defaultHostname;
let gatewayConfig: ReturnType<typeof loadGatewayConfig>;
try {
  gatewayConfig = loadGatewayConfig(env);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
// The policy file is validated before anything starts: an invalid one stops here, naming the key.
let policyFile: PolicyFile | undefined;
if (gatewayConfig.policyPath !== undefined) {
  try {
    const { PolicyFile } = await import("./gateway/policy/policy_file.ts");
    policyFile = await PolicyFile.open({
      path: gatewayConfig.policyPath,
      timers: systemTimers,
      intervalMs: gatewayConfig.policyReloadMs,
      log: jsonLog(),
      regions: gatewayConfig.bedrockRegions,
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

const emulateEntra = !production && !env.ENTRA_TENANT_ID;
const emulateBedrock = !production && !env.AWS_REGION && !env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
if (production && !env.AWS_REGION) fail("Invalid setting AWS_REGION: required in production");

let entra: EntraEmulator | undefined;
let bedrockEmulator: BedrockEmulator | undefined;
await yieldToRequests();
if (emulateEntra || emulateBedrock) {
  // Development only: production never loads the emulators.
  const { startBedrockEmulator, startEntraEmulator } = await import("@ccgate/emulators");
  if (emulateEntra) {
    entra = await startEntraEmulator({ autoApprove: true, pollIntervalSeconds: 1 });
  }
  if (emulateBedrock) bedrockEmulator = await startBedrockEmulator({ auth: { bearer: true } });
}

const { server, serve } = early ?? listenFirstOrFail({ hostname, port }, fail);
await yieldToRequests();

const [
  { createApp: createAuthApp },
  { loadAuthConfig },
  { RevocationList },
  { openSigningKeys },
  { composeApp },
] = await Promise.all([
  import("./auth/app.ts"),
  import("./auth/config.ts"),
  import("./auth/revocation_list.ts"),
  import("./auth/signing_keys.ts"),
  import("./compose_app.ts"),
]);
await yieldToRequests();
const [
  { createApp: createGatewayApp },
  { cachedReadiness, kvReadiness, lifecycleReadiness },
  { followPolicyAliases },
  { bedrockProbeTargets, bedrockReadiness },
  { gracefulShutdown },
  { checkProductionSettings },
] = await Promise.all([
  import("./gateway/app.ts"),
  import("./gateway/readiness_checks.ts"),
  import("./gateway/policy/policy_aliases.ts"),
  import("./gateway/bedrock_readiness.ts"),
  import("./gateway/graceful_shutdown.ts"),
  import("./production_settings.ts"),
]);
await yieldToRequests();
const { startGatewayServices } = await import("./gateway/gateway_services.ts");
const localHost = hostname === "0.0.0.0" ? "127.0.0.1" : hostname;
const url = `http://${localHost}:${server.addr.port}`;
const publicUrl = env.CCGATE_ISSUER ?? url;

let authConfig: ReturnType<typeof loadAuthConfig>;
try {
  // The gateway is this app: its metadata names it (`ccgate_gateway_url`) unless CCGATE_GATEWAY_URL does.
  authConfig = loadAuthConfig({
    ...entra?.env,
    ...env,
    CCGATE_ISSUER: publicUrl,
    CCGATE_GATEWAY_URL: env.CCGATE_GATEWAY_URL || publicUrl,
  });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
// `:memory:` KV is refused in production; an open /metrics is a warning, logged once below.
const productionCheck = checkProductionSettings({
  production,
  kvPath: serverEnv.kvPath,
  metrics: { token: gatewayConfig.metricsToken },
});
if (productionCheck.error !== undefined) fail(productionCheck.error);

const kvPath = serverEnv.kvPath ?? (onDeploy ? undefined : ".ccgate/kv.sqlite3");
if (kvPath?.startsWith(".ccgate/")) await Deno.mkdir(".ccgate", { recursive: true });
const { openKvOrFail } = await import("./gateway/open_kv_or_fail.ts");
const kv = await openKvOrFail(kvPath, {
  fromSetting: serverEnv.kvPath !== undefined,
  fail,
  accessToken: env.DENO_KV_ACCESS_TOKEN,
});
const log = jsonLog();
const authLog = (record: object) => log({ level: "info", msg: "auth", ...record });
const now = () => new Date();
const keys = await openSigningKeys(kv, { now, rotationIntervalMs: authConfig.keyRotationMs });
const revocations = new RevocationList({
  kv,
  now,
  refreshIntervalMs: authConfig.revocationRefreshMs,
  log: authLog,
});

await revocations.refresh();
revocations.start();

keyRotation.ready({ keys, log });
const { runRetentionJob } = await import("./gateway/ledger/retention_job.ts");
retention.ready(() => runRetentionJob({ kv, now, log, settings: gatewayConfig.retention }));

const region = gatewayConfig.bedrockRegions[0]!;
// Bedrock behind failover, the usage ledger, budget overrides and the policy; the drain stops them.
const { lifecycle, bedrock, metrics, ledger, budgetOverrides, policy } = await startGatewayServices(
  {
    config: gatewayConfig,
    kv,
    log,
    timers: systemTimers,
    now,
    policyFile,
    endpoint: bedrockEmulator?.url,
    credentials: bedrockEmulator ? EMULATOR_CREDENTIALS : undefined,
    // Deno Deploy runs many isolates on one machine and gives each 512 MB: the memory budget's limit.
    onDenoDeploy: onDeploy,
  },
);

// The auth service's counters join the gateway's: one /metrics, one scrape.
const authMetrics = new (await import("./auth/auth_metrics.ts")).AuthMetrics();
metrics.include(authMetrics);
// Also as OpenTelemetry metrics (a no-op unless OTEL_DENO=true; always on Deno Deploy, where a
// /metrics scrape reaches one isolate and the OTel backend sums them all).
const [{ metrics: otel }, { exportOtelMetrics }] = await Promise.all([
  import("@opentelemetry/api"),
  import("./gateway/otel_metrics.ts"),
]);
exportOtelMetrics(metrics, otel.getMeter("ccgate"));
const auth = createAuthApp({
  kv,
  keys,
  config: authConfig,
  now,
  fetch,
  log: authLog,
  revocations,
  metrics: authMetrics,
});
const gateway = createGatewayApp({
  config: { ...gatewayConfig, issuer: authConfig.issuer },
  // Policy model names are accepted as `model` (in the primary region, followed across reloads);
  // CCGATE_MODELS wins.
  policyAliases: policyFile && followPolicyAliases(policyFile, region),
  bedrock,
  key: keys.getKey,
  isRevoked: (sid) => revocations.isRevoked(sid),
  now,
  log,
  lifecycle,
  metrics,
  ledger,
  policy,
  budgetOverrides,
  readiness: [
    { name: "config", check: () => Promise.resolve(production ? "production" : "development") },
    lifecycleReadiness(lifecycle),
    // A KV read at most every 2 s however often /readyz is called.
    kvReadiness(kv, { ttlMs: 2_000, now: systemTimers.now }),
    // Ready while any region answers (failover serves from it); probed at most every 2 s.
    cachedReadiness(bedrockReadiness(bedrockProbeTargets(gatewayConfig, bedrockEmulator?.url)), {
      ttlMs: 2_000,
      now: systemTimers.now,
    }),
  ],
});

serve(composeApp(auth, gateway));
const lines = [
  // The address bound (0.0.0.0 in production), and how to reach it from this machine.
  `ccgate listening on http://${server.addr.hostname}:${server.addr.port}` +
  (server.addr.hostname === localHost ? "" : ` (from this machine: ${url})`),
  `  gateway  ${url}/v1/messages    auth  ${url}/oauth/token`,
  `  KV       ${kvPath ?? "Deno Deploy KV"}`,
];
if (entra) {
  lines.push(
    `  EMULATED Entra ID at ${entra.url} (tenant ${entra.tenantId}); device codes are`,
    `           approved automatically as "${entra.devUser.name}". Set ENTRA_TENANT_ID,`,
    `           ENTRA_CLIENT_ID and ENTRA_ALLOWED_CLIENT_IDS to use your tenant.`,
  );
}
if (bedrockEmulator) {
  lines.push(
    `  EMULATED Bedrock at ${bedrockEmulator.url}: answers are canned, no AWS call is made.`,
    `           Set AWS_REGION (and AWS credentials) to call real Bedrock.`,
  );
}
// Production users have the `ccgate` binary; a from-source developer runs the CLI as a task.
lines.push(`  Sign in:  ${production ? "ccgate" : "deno task cli"} login --url ${publicUrl}`);
const rule = "=".repeat(Math.max(...lines.map((l) => l.length)));
// Warnings first: whoever waits for the banner has them too.
for (const warning of productionCheck.warnings) log({ level: "warn", msg: warning });
console.error([rule, ...lines, rule].join("\n"));

// /readyz turns 503 at once; requests are served for CCGATE_DRAIN_DELAY_MS more, then the listener
// closes and running streams finish up to the deadline. A second signal does not run it again.
const shutdown = gracefulShutdown({
  lifecycle,
  timers: systemTimers,
  delayMs: gatewayConfig.drainDelayMs ?? 0,
  deadlineMs: gatewayConfig.drainDeadlineMs,
  stopListening: () => server.shutdown(),
  log,
  async cleanup() {
    // Streams the drain ended are recorded as they close: write those last ledger entries too.
    await ledger.flush().catch((err) =>
      log({ level: "error", msg: "usage ledger flush failed", error: String(err) })
    );
    revocations[Symbol.dispose]();
    await bedrockEmulator?.close();
    await entra?.close();
    kv.close();
    Deno.exit(0);
  },
});
// KV that hangs (the ledger's last flushes) cannot hold the exit past the deadline plus a grace.
const { boundedShutdown, FLUSH_GRACE_MS } = await import("./gateway/bounded_shutdown.ts");
const stop = boundedShutdown(shutdown, {
  boundMs: (gatewayConfig.drainDelayMs ?? 0) + gatewayConfig.drainDeadlineMs + FLUSH_GRACE_MS,
  timers: systemTimers,
  ledger,
  log,
  exit: Deno.exit,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  try {
    Deno.addSignalListener(signal, () => void stop());
  } catch {
    // Signals are not available on every platform (Deno Deploy).
  }
}
