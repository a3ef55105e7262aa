/**
 * The auth service on its own: reads the environment, opens KV, rotates
 * signing keys with `Deno.cron`, serves `createApp`. In development with no
 * `ENTRA_TENANT_ID` it starts the local Entra ID emulator and says so;
 * production (`CCGATE_ENV=production` or Deno Deploy) never does.
 *
 * `deno run -A auth/main.ts` (PORT, default 8080; CCGATE_KV_PATH, default
 * `.ccgate/auth.kv` locally and the deployment's KV on Deno Deploy). Serves
 * its own `GET /metrics`, guarded by `CCGATE_METRICS_TOKEN` like the gateway's.
 *
 * @module
 */
import type { ServerEnv } from "../server_env.ts";
import { listenAddress, listenFirstOrFail, yieldToRequests } from "../gateway/listen_first.ts";
import { cronBeforeListen } from "../gateway/cron_before_listen.ts";
import type { SigningKeys } from "./signing_keys.ts";

const log = (record: object) =>
  console.error(JSON.stringify({ time: new Date().toISOString(), ...record }));

function fail(message: string): never {
  console.error(`ccgate auth: ${message}`);
  Deno.exit(1);
}

const env: Record<string, string | undefined> = Deno.env.toObject();
const production = env.CCGATE_ENV === "production" || env.DENO_DEPLOYMENT_ID !== undefined;
// Deno Deploy picks up only crons registered at the top level before a server starts: registered
// here, before the early listen; each run waits for the signing keys, opened later.
// Hourly check; rotates once the interval has passed. Safe on many instances.
const keyRotation = cronBeforeListen(
  Deno.cron,
  "ccgate-auth-rotate-signing-keys",
  "17 * * * *",
  async (keys: SigningKeys) => {
    if (await keys.rotateIfDue()) log({ level: "info", msg: "signing keys rotated" });
  },
);
// Bind before the modules load (on every interface, as before): /healthz answers while they load,
// everything else 503 until the app is installed.
const early = (() => {
  const address = listenAddress(env, "0.0.0.0");
  return address && listenFirstOrFail(address, fail);
})();
await yieldToRequests();
const [{ loadServerEnv }, { loadAuthConfig }, { ConfigError }] = await Promise.all([
  import("../server_env.ts"),
  import("./config.ts"),
  import("./errors.ts"),
]);
let server: ServerEnv;
try {
  server = loadServerEnv(env);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (!production && !env.ENTRA_TENANT_ID) {
  // Development only: production never loads the emulator.
  await yieldToRequests();
  const { startEntraEmulator } = await import("@ccgate/emulators");
  const entra = await startEntraEmulator({
    port: server.entraEmulatorPort ?? 0,
    pollIntervalSeconds: 1,
  });
  Object.assign(env, entra.env);
  console.error(
    `\n  ccgate auth: no ENTRA_TENANT_ID, so sign-in goes to a LOCAL ENTRA ID EMULATOR at ${entra.url}` +
      `\n  (tenant ${entra.tenantId}). Development only: set ENTRA_* to use your tenant.\n`,
  );
}

let config;
try {
  config = loadAuthConfig(env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
// The scrape token of /metrics, checked as the gateway checks it (unset: open, a production warning).
const metricsToken = env.CCGATE_METRICS_TOKEN || undefined;
if (metricsToken !== undefined && !/^[A-Za-z0-9\-._~+/]{32,}=*$/.test(metricsToken)) {
  fail(
    "CCGATE_METRICS_TOKEN must be at least 32 characters: letters, digits and -._~+/ (a bearer token)",
  );
}
// Signing keys, sessions and refresh tokens live in KV: `:memory:` is refused in production.
const productionCheck = (await import("../production_settings.ts")).checkProductionSettings({
  production,
  kvPath: server.kvPath,
  metrics: { token: metricsToken },
});
if (productionCheck.error !== undefined) fail(productionCheck.error);
for (const warning of productionCheck.warnings) log({ level: "warn", msg: warning });
// Deployed apart from the gateway: without CCGATE_GATEWAY_URL, a developer who signs in with this
// service's URL gets it as the gateway too (`ccgate install` would point Claude Code here).
if (production && config.gatewayUrl === undefined) {
  log({
    level: "warn",
    msg:
      "CCGATE_GATEWAY_URL is not set: the metadata names no gateway, so a developer who signs in with this auth service's URL gets it as the gateway too; set it to the gateway's public URL",
  });
}

await yieldToRequests();
const [{ createApp }, { openSigningKeys }, { AuthMetrics }] = await Promise.all([
  import("./app.ts"),
  import("./signing_keys.ts"),
  import("./auth_metrics.ts"),
]);

let kvPath = server.kvPath;
if (kvPath === undefined && env.DENO_DEPLOYMENT_ID === undefined) {
  await Deno.mkdir(".ccgate", { recursive: true });
  kvPath = ".ccgate/auth.kv";
}
const { openKvOrFail } = await import("../gateway/open_kv_or_fail.ts");
const kv = await openKvOrFail(kvPath, {
  fromSetting: server.kvPath !== undefined,
  fail,
  accessToken: env.DENO_KV_ACCESS_TOKEN,
});
const keys = await openSigningKeys(kv, { rotationIntervalMs: config.keyRotationMs });

keyRotation.ready(keys);

const metrics = new AuthMetrics();
const app = createApp({
  kv,
  keys,
  config,
  now: () => new Date(),
  fetch: globalThis.fetch,
  log,
  metrics,
  serveMetrics: { token: metricsToken },
});
// Also as OpenTelemetry metrics (a no-op unless OTEL_DENO=true; always on Deno Deploy, where a
// /metrics scrape reaches one isolate and the OTel backend sums them all).
const [{ metrics: otel }, { exportOtelMetrics }] = await Promise.all([
  import("@opentelemetry/api"),
  import("../gateway/otel_metrics.ts"),
]);
exportOtelMetrics(metrics, otel.getMeter("ccgate"));
const { server: listener, serve } = early ??
  listenFirstOrFail({ hostname: server.hostname ?? "0.0.0.0", port: server.port }, fail);
// `/healthz`: the process is alive (answered from the start, before the app is installed).
const healthy = () => Response.json({ status: "ok" });
serve((request, info) =>
  new URL(request.url).pathname === "/healthz" ? healthy() : app.fetch(request, info)
);
console.error(`ccgate auth listening on http://${listener.addr.hostname}:${listener.addr.port}`);
