/**
 * The gateway under benchmark, in its own process, assembled as the root
 * main.ts assembles it (same `createApp` and `startGatewayServices`: Bedrock
 * with retries, circuit breaker and timeouts, load shedding, metrics, the
 * usage ledger in KV; one JSON log line per request on stderr) except that the
 * tokens come from a test issuer instead of the auth service's key ring, so
 * the benchmark needs no sign-in. Bedrock is the benchmark's emulator.
 *
 * Prints one JSON line on stdout when ready: `{"url", "token", "pid"}`.
 * `CCGATE_*` environment variables are honoured as in production.
 *
 * `deno run --allow-net --allow-env --allow-read bench/servers/gateway_server.ts <emulator URL>`
 *
 * @module
 */
import { installMemoryProbe } from "./memory_probe.ts";
import { createApp } from "../../gateway/app.ts";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { startGatewayServices } from "../../gateway/gateway_services.ts";
import { jsonLog } from "../../gateway/log.ts";
import { retryWhenLocked } from "../../gateway/retry_when_locked.ts";
import { systemTimers } from "../../gateway/timers.ts";
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER } from "../../testing/test_issuer.ts";

const CREDENTIALS = { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" };

if (import.meta.main) {
  const emulatorUrl = Deno.args[0];
  if (emulatorUrl === undefined) {
    console.error("usage: gateway_server.ts <emulator URL>");
    Deno.exit(2);
  }
  const issuer = await createTestIssuer();
  const config = loadGatewayConfig({
    ...Deno.env.toObject(),
    CCGATE_ISSUER: TEST_ISSUER,
    CCGATE_AUDIENCE: TEST_AUDIENCE,
    CCGATE_BEDROCK_REGIONS: "us-east-1",
    CCGATE_BEDROCK_ENDPOINTS: `us-east-1=${emulatorUrl}`,
  });
  const log = jsonLog();
  // The usage ledger, as in production: one entry per request, written to KV off the hot path
  // (a KV file of the benchmark's own, `CCGATE_KV_PATH` or a temporary one).
  const kvDir = Deno.env.get("CCGATE_KV_PATH") ? undefined : await Deno.makeTempDir();
  // Wrapped as openKvOrFail wraps it in production (writes retried while a shared file is locked).
  const kv = retryWhenLocked(
    await Deno.openKv(Deno.env.get("CCGATE_KV_PATH") ?? `${kvDir}/gateway-kv.sqlite3`),
  );
  // Assembled as main.ts assembles it: failover Bedrock, lifecycle, metrics, ledger.
  const { lifecycle, bedrock, metrics, ledger, budgetOverrides } = await startGatewayServices({
    config,
    kv,
    log,
    timers: systemTimers,
    now: () => new Date(),
    credentials: CREDENTIALS,
  });
  const app = createApp({
    config: { ...config, issuer: TEST_ISSUER },
    bedrock,
    key: issuer.keySet,
    isRevoked: () => false,
    now: () => new Date(),
    log,
    lifecycle,
    metrics,
    ledger,
    budgetOverrides,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  installMemoryProbe();
  // A clean exit on SIGTERM, so that `--cpu-prof` writes its profile.
  Deno.addSignalListener("SIGTERM", () => {
    kv.close();
    if (kvDir !== undefined) Deno.removeSync(kvDir, { recursive: true });
    Deno.exit(0);
  });
  console.log(JSON.stringify({
    url: `http://127.0.0.1:${server.addr.port}`,
    token: await issuer.mint(),
    pid: Deno.pid,
  }));
}
