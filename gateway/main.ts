/**
 * The gateway on its own, for deployments that run the auth service
 * separately (`auth/main.ts`): it verifies tokens against the auth service's
 * JWKS (`CCGATE_JWKS_URL`, default `{CCGATE_ISSUER}/.well-known/jwks.json`,
 * cached, refetched on an unknown key id after a cooldown) and pulls its
 * revocation feed (`CCGATE_REVOCATIONS_URL`, default
 * `{CCGATE_ISSUER}/oauth/revocations`) every `CCGATE_REVOCATION_REFRESH_MS`.
 * In development with no AWS settings it answers from the local Bedrock
 * emulator and says so; production needs `AWS_REGION`.
 *
 * `deno run --allow-net --allow-env --allow-read --allow-sys gateway/main.ts`
 *
 * @module
 */
import { startBedrockEmulator } from "@ccgate/emulators";
import { RevocationList } from "../auth/revocation_list.ts";
import { createApp } from "./app.ts";
import { createBedrockClient } from "./bedrock_client.ts";
import { ConfigError, loadGatewayConfig } from "./config.ts";
import { jsonLog } from "./log.ts";
import { httpReadiness } from "./readiness_checks.ts";

function fail(message: string): never {
  console.error(`ccgate gateway: ${message}`);
  Deno.exit(1);
}

const env = Deno.env.toObject();
const production = env.CCGATE_ENV === "production" || env.DENO_DEPLOYMENT_ID !== undefined;
let config;
try {
  config = loadGatewayConfig(env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
const issuer = config.issuer ??
  fail("Invalid setting CCGATE_ISSUER: required (the auth service's URL)");
const port = Number(env.PORT ?? "8080");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail("Invalid setting PORT: must be a port number");
}
if (production && !config.awsRegion) fail("Invalid setting AWS_REGION: required in production");

const emulator = !production && !config.awsRegion && !config.bedrockEndpoint
  ? await startBedrockEmulator()
  : undefined;
if (emulator) {
  console.error(
    `ccgate gateway: no AWS settings, so answers come from a LOCAL BEDROCK EMULATOR at ${emulator.url}; set AWS_REGION to call Bedrock`,
  );
}
const region = config.awsRegion ?? "us-east-1";
const endpoint = emulator?.url ?? config.bedrockEndpoint;
const log = jsonLog();
const revocations = new RevocationList({
  url: config.revocationsUrl ?? `${issuer}/oauth/revocations`,
  refreshIntervalMs: config.revocationRefreshMs,
  log: (record) => log({ level: "info", msg: "revocations", ...record }),
});
await revocations.refresh().catch((err) =>
  log({ level: "warn", msg: "revocation feed unreachable at start", error: String(err) })
);
revocations.start();

const app = createApp({
  config: { ...config, issuer },
  bedrock: createBedrockClient({
    region,
    endpoint,
    credentials: emulator
      ? { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" }
      : undefined,
  }),
  key: new URL(config.jwksUrl ?? `${issuer}/.well-known/jwks.json`),
  isRevoked: (sid) => revocations.isRevoked(sid),
  now: () => new Date(),
  log,
  readiness: [
    httpReadiness("auth", `${issuer}/.well-known/jwks.json`),
    httpReadiness("bedrock", endpoint ?? `https://bedrock-runtime.${region}.amazonaws.com/`),
  ],
});

const server = Deno.serve({
  hostname: env.HOSTNAME ?? (production ? "0.0.0.0" : "127.0.0.1"),
  port,
  onListen: ({ hostname, port }) =>
    console.error(`ccgate gateway listening on http://${hostname}:${port} (issuer ${issuer})`),
}, app.fetch);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  try {
    Deno.addSignalListener(signal, async () => {
      await server.shutdown();
      revocations[Symbol.dispose]();
      await emulator?.close();
      Deno.exit(0);
    });
  } catch {
    // Signals are not available everywhere (Deno Deploy).
  }
}
