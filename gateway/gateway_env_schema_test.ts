import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { loadAuthConfig } from "../auth/config.ts";
import { ConfigError as AuthConfigError } from "../auth/errors.ts";
import { loadGatewayConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { gatewayEnvSchema, MAX_TIMER_MS } from "./gateway_env_schema.ts";

/** Every gateway setting in milliseconds: each ends up in a timer (or is compared with one). */
const MS_SETTINGS = Object.keys(gatewayEnvSchema.shape).filter((key) => key.endsWith("_MS"));

const AUTH_BASE = {
  ENTRA_TENANT_ID: "11111111-1111-1111-1111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
  ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-3333-3333-333333333333",
};

Deno.test("gatewayEnvSchema has the millisecond settings that feed timers", () => {
  // The list the bound must cover: a setting renamed away from `_MS` would escape the test below.
  for (
    const key of [
      "CCGATE_REVOCATION_REFRESH_MS",
      "CCGATE_PING_INTERVAL_MS",
      "CCGATE_RETRY_BASE_MS",
      "CCGATE_RETRY_MAX_DELAY_MS",
      "CCGATE_FIRST_BYTE_TIMEOUT_MS",
      "CCGATE_IDLE_TIMEOUT_MS",
      "CCGATE_TOTAL_TIMEOUT_MS",
      "CCGATE_DRAIN_DEADLINE_MS",
      "CCGATE_LEDGER_FLUSH_MS",
      "CCGATE_LEDGER_WRITE_MS",
      "CCGATE_LEDGER_OPEN_REFRESH_MS",
      "CCGATE_POLICY_RELOAD_MS",
      "CCGATE_POLICY_SYNC_MS",
    ]
  ) assert(MS_SETTINGS.includes(key), key);
});

Deno.test("loadGatewayConfig() refuses a millisecond setting longer than a timer can wait", () => {
  for (const key of MS_SETTINGS) {
    for (const value of ["3000000000", String(MAX_TIMER_MS + 1), "9".repeat(400)]) {
      const err = assertThrows(() => loadGatewayConfig({ [key]: value }), ConfigError);
      assertEquals(
        err.message,
        `Invalid setting ${key}: must be at most 2147483647 (about 24.8 days, the longest timer delay)`,
        `${key}=${value}`,
      );
    }
  }
});

Deno.test("loadGatewayConfig() accepts the longest timer delay in every millisecond setting", () => {
  const config = loadGatewayConfig(
    Object.fromEntries(MS_SETTINGS.map((key) => [key, String(MAX_TIMER_MS)])),
  );
  assertEquals(config.timeouts.totalMs, MAX_TIMER_MS);
  assertEquals(config.drainDeadlineMs, MAX_TIMER_MS);
  assertEquals(config.pingIntervalMs, MAX_TIMER_MS);
  assertEquals(config.retry.maxDelayMs, MAX_TIMER_MS);
});

Deno.test("loadGatewayConfig() keeps 0 where it means something and refuses it elsewhere", () => {
  assertEquals(loadGatewayConfig({ CCGATE_DRAIN_DEADLINE_MS: "0" }).drainDeadlineMs, 0);
  assertEquals(loadGatewayConfig({ CCGATE_RETRY_BASE_MS: "0" }).retry.baseMs, 0);
  const err = assertThrows(
    () => loadGatewayConfig({ CCGATE_TOTAL_TIMEOUT_MS: "0" }),
    ConfigError,
  );
  assertEquals(err.message, "Invalid setting CCGATE_TOTAL_TIMEOUT_MS: must be at least 1");
});

Deno.test("loadAuthConfig() refuses a CCGATE_REVOCATION_REFRESH_MS longer than a timer can wait", () => {
  const err = assertThrows(
    () => loadAuthConfig({ ...AUTH_BASE, CCGATE_REVOCATION_REFRESH_MS: "3000000000" }),
    AuthConfigError,
  );
  assertEquals(
    err.message,
    "Invalid setting CCGATE_REVOCATION_REFRESH_MS: must be at most 2147483647 (about 24.8 days, the longest timer delay)",
  );
  assertEquals(
    loadAuthConfig({ ...AUTH_BASE, CCGATE_REVOCATION_REFRESH_MS: String(MAX_TIMER_MS) })
      .revocationRefreshMs,
    MAX_TIMER_MS,
  );
});

Deno.test("main.ts stops with one line for CCGATE_TOTAL_TIMEOUT_MS=3000000000", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: root,
    env: { PORT: "0", CCGATE_KV_PATH: ":memory:", CCGATE_TOTAL_TIMEOUT_MS: "3000000000" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    // A server that accepted the setting would run on: killed, so that the test fails, not hangs.
    signal: AbortSignal.timeout(30_000),
  }).output();
  assertEquals({ code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() }, {
    code: 1,
    stderr:
      "ccgate: Invalid setting CCGATE_TOTAL_TIMEOUT_MS: must be at most 2147483647 (about 24.8 days, the longest timer delay)",
  });
});
