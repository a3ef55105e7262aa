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

const EMULATOR_CREDENTIALS = { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" };

function fail(message: string): never {
  console.error(`ccgate: ${message}`);
  Deno.exit(1);
}

const env = Deno.env.toObject();
const onDeploy = env.DENO_DEPLOYMENT_ID !== undefined;
const production = env.CCGATE_ENV === "production" || onDeploy;
const defaultHostname = production ? "0.0.0.0" : "127.0.0.1";
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
  { httpReadiness, kvReadiness },
  { followPolicyAliases },
] = await Promise.all([
  import("./gateway/app.ts"),
  import("./gateway/readiness_checks.ts"),
  import("./gateway/policy/policy_aliases.ts"),
]);
await yieldToRequests();
const { startGatewayServices } = await import("./gateway/gateway_services.ts");
const localHost = hostname === "0.0.0.0" ? "127.0.0.1" : hostname;
const url = `http://${localHost}:${server.addr.port}`;
const publicUrl = env.CCGATE_ISSUER ?? url;

let authConfig: ReturnType<typeof loadAuthConfig>;
try {
  authConfig = loadAuthConfig({ ...entra?.env, ...env, CCGATE_ISSUER: publicUrl });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

const kvPath = serverEnv.kvPath ?? (onDeploy ? undefined : ".ccgate/kv.sqlite3");
if (kvPath?.startsWith(".ccgate/")) await Deno.mkdir(".ccgate", { recursive: true });
const kv = await Deno.openKv(kvPath);
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

Deno.cron("ccgate signing key rotation", "*/15 * * * *", async () => {
  if (await keys.rotateIfDue()) log({ level: "info", msg: "signing keys rotated" });
});

const region = gatewayConfig.bedrockRegions[0]!;
const bedrockEndpoint = bedrockEmulator?.url ?? gatewayConfig.bedrockEndpoints[region] ??
  gatewayConfig.bedrockEndpoint;
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

const auth = createAuthApp({ kv, keys, config: authConfig, now, fetch, log: authLog, revocations });
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
    {
      name: "lifecycle",
      check: () =>
        lifecycle.draining
          ? Promise.reject(new Error("draining: shutting down"))
          : Promise.resolve(`accepting (${lifecycle.active} in flight)`),
    },
    kvReadiness(kv),
    httpReadiness("bedrock", bedrockEndpoint ?? `https://bedrock-runtime.${region}.amazonaws.com/`),
  ],
});

serve(composeApp(auth, gateway));
const lines = [
  `ccgate listening on ${url}`,
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
lines.push(`  Sign in:  deno task cli login --url ${publicUrl}`);
const rule = "=".repeat(Math.max(...lines.map((l) => l.length)));
console.error([rule, ...lines, rule].join("\n"));

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  // Stop accepting connections; requests on open keep-alive connections get 529 while draining.
  const stopped = server.shutdown();
  const report = await lifecycle.drain(gatewayConfig.drainDeadlineMs);
  log({ level: "info", msg: "drained", ...report });
  await stopped;
  // Streams the drain ended are recorded as they close: write those last ledger entries too.
  await ledger.flush().catch((err) =>
    log({ level: "error", msg: "usage ledger flush failed", error: String(err) })
  );
  revocations[Symbol.dispose]();
  await bedrockEmulator?.close();
  await entra?.close();
  kv.close();
  Deno.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  try {
    Deno.addSignalListener(signal, shutdown);
  } catch {
    // Signals are not available on every platform (Deno Deploy).
  }
}
