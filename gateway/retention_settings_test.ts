import { assertEquals, assertThrows } from "../testing/assert.ts";
import { loadGatewayConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

const KEYS = [
  "CCGATE_LEDGER_RETENTION_DAYS",
  "CCGATE_USAGE_RETENTION_DAYS",
  "CCGATE_AUDIT_RETENTION_DAYS",
] as const;

Deno.test("loadGatewayConfig() keeps entries and audit 400 days and roll-ups forever by default", () => {
  assertEquals(loadGatewayConfig({}).retention, { ledgerDays: 400, usageDays: 0, auditDays: 400 });
});

Deno.test("loadGatewayConfig() reads the retention settings, 0 meaning forever", () => {
  const config = loadGatewayConfig({
    CCGATE_LEDGER_RETENTION_DAYS: "0",
    CCGATE_USAGE_RETENTION_DAYS: "1100",
    CCGATE_AUDIT_RETENTION_DAYS: "36500",
  });
  assertEquals(config.retention, { ledgerDays: 0, usageDays: 1100, auditDays: 36500 });
});

Deno.test("loadGatewayConfig() refuses a retention that is not a whole number of days with one line", () => {
  for (const key of KEYS) {
    for (const value of ["-1", "1.5", "30d", " 30"]) {
      const err = assertThrows(() => loadGatewayConfig({ [key]: value }), ConfigError);
      assertEquals(err.message, `Invalid setting ${key}: must be a whole number`, value);
    }
    for (const value of ["36501", "9".repeat(400)]) {
      const err = assertThrows(() => loadGatewayConfig({ [key]: value }), ConfigError);
      assertEquals(err.message, `Invalid setting ${key}: must be at most 36500 (0 keeps forever)`);
    }
  }
});
