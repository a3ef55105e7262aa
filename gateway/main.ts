/**
 * The gateway on its own, for deployments that run the auth service
 * separately (`auth/main.ts`): it verifies tokens against the auth service's
 * JWKS (`CCGATE_JWKS_URL`, default `{CCGATE_ISSUER}/.well-known/jwks.json`,
 * cached, refetched on an unknown key id after a cooldown) and pulls its
 * revocation feed (`CCGATE_REVOCATIONS_URL`, default
 * `{CCGATE_ISSUER}/oauth/revocations`) every `CCGATE_REVOCATION_REFRESH_MS`.
 * When the feed cannot be pulled it keeps serving tokens (sessions revoked
 * meanwhile are still accepted); after `CCGATE_REVOCATION_STALE_MS` without a
 * successful pull `/readyz` answers 503 and a warning is logged, once.
 * The keys count as ready while usable (fetched within 10 minutes), so an
 * auth blip alone does not take the gateway out of its load balancer.
 * `GET /.well-known/oauth-authorization-server` names the auth service
 * (`CCGATE_ISSUER`) and this gateway, so the CLI signs in from either URL.
 * In development with no AWS settings it answers from the local Bedrock
 * emulator and says so; production needs `AWS_REGION`.
 *
 * `deno run --allow-net --allow-env --allow-read --allow-write --allow-sys gateway/main.ts`
 *
 * @module
 */
import type { BedrockEmulator } from "@ccgate/emulators";
import type { PolicyFile } from "./policy/policy_file.ts";
import { listenAddress, listenFirstOrFail, yieldToRequests } from "./listen_first.ts";
import { cronBeforeListen } from "./cron_before_listen.ts";
import { RETENTION_CRON_NAME, RETENTION_CRON_SCHEDULE } from "./ledger/retention_cron.ts";

function fail(message: string): never {
  console.error(`ccgate gateway: ${message}`);
  Deno.exit(1);
}

const env = Deno.env.toObject();
const production = env.CCGATE_ENV === "production" || env.DENO_DEPLOYMENT_ID !== undefined;
const defaultHostname = production ? "0.0.0.0" : "127.0.0.1";
// Deno Deploy picks up only crons registered at the top level before a server starts: the hourly
// deletion of ledger entries, roll-ups and audit records past their retention
// (CCGATE_*_RETENTION_DAYS) is registered here; each run waits for KV, opened later.
const retention = cronBeforeListen(
  Deno.cron,
  RETENTION_CRON_NAME,
  RETENTION_CRON_SCHEDULE,
  (run: () => Promise<void>) => run(),
);
// Bind before the modules load: /healthz answers (the process is alive) while they load, /readyz
// and everything else 503 until the app is installed. A PORT or HOSTNAME that is not plainly valid
// waits for the full check.
const early = (() => {
  const address = listenAddress(env, defaultHostname);
  return address && listenFirstOrFail(address, fail);
})();

// The settings first (a bad one stops here), then the rest in stages with a turn of the event
// loop between them, so /healthz is answered while the rest loads.
await yieldToRequests();
const [{ loadGatewayConfig }, { ConfigError }, { loadServerEnv }, { systemTimers }, { jsonLog }] =
  await Promise.all([
    import("./config.ts"),
    import("./errors.ts"),
    import("../server_env.ts"),
    import("./timers.ts"),
    import("./log.ts"),
  ]);
let config;
try {
  config = loadGatewayConfig(env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
const issuer = config.issuer ??
  fail("Invalid setting CCGATE_ISSUER: required (the auth service's URL)");
if (config.revocationStaleMs <= config.revocationRefreshMs) {
  fail(
    "Invalid setting CCGATE_REVOCATION_STALE_MS: must be more than CCGATE_REVOCATION_REFRESH_MS",
  );
}
let serverEnv;
try {
  serverEnv = loadServerEnv(env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
if (production && !config.awsRegion) fail("Invalid setting AWS_REGION: required in production");
// `:memory:` KV is refused in production; an open /metrics is a warning, logged once below.
const productionCheck = (await import("../production_settings.ts")).checkProductionSettings({
  production,
  kvPath: serverEnv.kvPath,
  metrics: { token: config.metricsToken },
});
if (productionCheck.error !== undefined) fail(productionCheck.error);
// The policy file is validated before anything starts: an invalid one stops here, naming the key.
let policyFile: PolicyFile | undefined;
if (config.policyPath !== undefined) {
  try {
    const { PolicyFile } = await import("./policy/policy_file.ts");
    policyFile = await PolicyFile.open({
      path: config.policyPath,
      timers: systemTimers,
      intervalMs: config.policyReloadMs,
      log: jsonLog(),
      regions: config.bedrockRegions,
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

await yieldToRequests();
// Development only: production never loads the emulator.
let emulator: BedrockEmulator | undefined;
if (!production && !config.awsRegion && !config.bedrockEndpoint) {
  const { startBedrockEmulator } = await import("@ccgate/emulators");
  emulator = await startBedrockEmulator();
}
if (emulator) {
  console.error(
    `ccgate gateway: no AWS settings, so answers come from a LOCAL BEDROCK EMULATOR at ${emulator.url}; set AWS_REGION to call Bedrock`,
  );
}
const region = config.bedrockRegions[0]!;
const log = jsonLog();
for (const warning of productionCheck.warnings) log({ level: "warn", msg: warning });
await yieldToRequests();
const [
  { RevokedSessions },
  { createApp },
  { cachedReadiness, kvReadiness, lifecycleReadiness },
  { followPolicyAliases },
] = await Promise.all([
  import("@ccgate/client"),
  import("./app.ts"),
  import("./readiness_checks.ts"),
  import("./policy/policy_aliases.ts"),
]);
await yieldToRequests();
const [
  { startGatewayServices },
  { RevocationFeedHealth },
  { JwksKeySet },
  { bedrockProbeTargets, bedrockReadiness },
  { gracefulShutdown },
] = await Promise.all([
  import("./gateway_services.ts"),
  import("./revocation_feed_health.ts"),
  import("./jwks_key_set.ts"),
  import("./bedrock_readiness.ts"),
  import("./graceful_shutdown.ts"),
]);
const revocationsUrl = config.revocationsUrl ?? `${issuer}/oauth/revocations`;
const jwksUrl = config.jwksUrl ?? `${issuer}/.well-known/jwks.json`;
// The auth service's keys, cached: /readyz stays ready while they are usable (fetched within
// jose's 10-minute cache age), not only while the auth service answers.
const jwksKeys = new JwksKeySet({ url: new URL(jwksUrl), now: () => new Date(), log });
// The feed's health logs when it goes stale and when it recovers, once each, instead of every
// failed pull; /readyz reports it.
const feedHealth = new RevocationFeedHealth({
  url: revocationsUrl,
  maxAgeMs: config.revocationStaleMs,
  now: () => new Date(),
  log,
});
// The client library's list, as integrators use it; failed pulls are logged by feedHealth.
const revocations = new RevokedSessions(revocationsUrl, {
  fetch: feedHealth.fetch,
  refreshIntervalMs: config.revocationRefreshMs,
  // An operator's setting (CCGATE_REVOCATIONS_URL), on a private network perhaps.
  allowInsecureHttp: true,
});
await revocations.refresh().catch((err) =>
  log({ level: "warn", msg: "revocation feed unreachable at start", error: err.message })
);
revocations.start();

// The usage ledger and the admin audit log live in KV: `CCGATE_KV_PATH` (a file, or a KV Connect
// URL shared with other instances), Deno Deploy's KV there, else a file under .ccgate/.
const onDeploy = env.DENO_DEPLOYMENT_ID !== undefined;
const kvPath = serverEnv.kvPath ?? (onDeploy ? undefined : ".ccgate/gateway-kv.sqlite3");
if (kvPath?.startsWith(".ccgate/")) await Deno.mkdir(".ccgate", { recursive: true });
const { openKvOrFail } = await import("./open_kv_or_fail.ts");
const kv = await openKvOrFail(kvPath, {
  fromSetting: serverEnv.kvPath !== undefined,
  fail,
  accessToken: env.DENO_KV_ACCESS_TOKEN,
});
const { runRetentionJob } = await import("./ledger/retention_job.ts");
retention.ready(() =>
  runRetentionJob({ kv, now: () => new Date(), log, settings: config.retention })
);
// Bedrock behind failover, the usage ledger, budget overrides and the policy; the drain stops them.
const { lifecycle, bedrock, metrics, ledger, budgetOverrides, policy } = await startGatewayServices(
  {
    config,
    kv,
    log,
    timers: systemTimers,
    now: () => new Date(),
    policyFile,
    endpoint: emulator?.url,
    credentials: emulator
      ? { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" }
      : undefined,
    // Deno Deploy runs many isolates on one machine and gives each 512 MB: the memory budget's limit.
    onDenoDeploy: onDeploy,
  },
);
// Also as OpenTelemetry metrics (a no-op unless OTEL_DENO=true; always on Deno Deploy, where a
// /metrics scrape reaches one isolate and the OTel backend sums them all).
const [{ metrics: otel }, { exportOtelMetrics }] = await Promise.all([
  import("@opentelemetry/api"),
  import("./otel_metrics.ts"),
]);
exportOtelMetrics(metrics, otel.getMeter("ccgate"));

const app = createApp({
  config: { ...config, issuer },
  // Policy model names are accepted as `model` (in the primary region, followed across reloads);
  // CCGATE_MODELS wins.
  policyAliases: policyFile && followPolicyAliases(policyFile, region),
  bedrock,
  key: jwksKeys.key,
  isRevoked: (sid) => revocations.isRevoked(sid),
  // The discovery path names the auth service and this gateway, so `ccgate login --url <gateway>`
  // finds where to sign in.
  discoveryIssuer: issuer,
  now: () => new Date(),
  log,
  lifecycle,
  metrics,
  ledger,
  policy,
  budgetOverrides,
  readiness: [
    lifecycleReadiness(lifecycle),
    // A KV read at most every 2 s however often /readyz is called.
    kvReadiness(kv, { ttlMs: 2_000, now: systemTimers.now }),
    jwksKeys.readiness(),
    feedHealth.readiness(),
    // Ready while any region answers (failover serves from it); probed at most every 2 s.
    cachedReadiness(bedrockReadiness(bedrockProbeTargets(config, emulator?.url)), {
      ttlMs: 2_000,
      now: systemTimers.now,
    }),
  ],
});

const { server, serve } = early ??
  listenFirstOrFail(
    { hostname: serverEnv.hostname ?? defaultHostname, port: serverEnv.port },
    fail,
  );
serve(app.fetch);
console.error(
  `ccgate gateway listening on http://${server.addr.hostname}:${server.addr.port} (issuer ${issuer})`,
);

// /readyz turns 503 at once; requests are served for CCGATE_DRAIN_DELAY_MS more, then the listener
// closes and running streams finish up to the deadline. A second signal does not run it again.
const shutdown = gracefulShutdown({
  lifecycle,
  timers: systemTimers,
  delayMs: config.drainDelayMs ?? 0,
  deadlineMs: config.drainDeadlineMs,
  stopListening: () => server.shutdown(),
  log,
  async cleanup() {
    // Streams the drain ended are recorded as they close: write those last ledger entries too.
    await ledger.flush().catch((err) =>
      log({ level: "error", msg: "usage ledger flush failed", error: String(err) })
    );
    kv.close();
    revocations[Symbol.dispose]();
    await emulator?.close();
    Deno.exit(0);
  },
});
// KV that hangs (the ledger's last flushes) cannot hold the exit past the deadline plus a grace.
const { boundedShutdown, FLUSH_GRACE_MS } = await import("./bounded_shutdown.ts");
const stop = boundedShutdown(shutdown, {
  boundMs: (config.drainDelayMs ?? 0) + config.drainDeadlineMs + FLUSH_GRACE_MS,
  timers: systemTimers,
  ledger,
  log,
  exit: Deno.exit,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  try {
    Deno.addSignalListener(signal, () => void stop());
  } catch {
    // Signals are not available everywhere (Deno Deploy).
  }
}
