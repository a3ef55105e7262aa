import { assertEquals } from "./testing/assert.ts";
import { checkProductionSettings } from "./production_settings.ts";

Deno.test("checkProductionSettings() refuses CCGATE_KV_PATH=:memory: in production", () => {
  const report = checkProductionSettings({ production: true, kvPath: ":memory:" });
  assertEquals(
    report.error?.startsWith(
      'Invalid setting CCGATE_KV_PATH: ":memory:" is not allowed in production',
    ),
    true,
    report.error,
  );
  assertEquals(report.error?.includes("\n"), false);
});

Deno.test("checkProductionSettings() accepts :memory: in development and a file or URL in production", () => {
  assertEquals(checkProductionSettings({ production: false, kvPath: ":memory:" }), {
    warnings: [],
  });
  assertEquals(checkProductionSettings({ production: true, kvPath: "/data/kv.sqlite3" }), {
    warnings: [],
  });
  assertEquals(checkProductionSettings({ production: true, kvPath: "https://kv.example.com" }), {
    warnings: [],
  });
  assertEquals(checkProductionSettings({ production: true }), { warnings: [] });
});

Deno.test("checkProductionSettings() warns once for an open /metrics in production only", () => {
  const open = checkProductionSettings({ production: true, kvPath: "kv", metrics: {} });
  assertEquals(open.error, undefined);
  assertEquals(open.warnings.length, 1);
  assertEquals(
    open.warnings[0]!.startsWith("CCGATE_METRICS_TOKEN is not set: /metrics is open"),
    true,
  );
  assertEquals(
    checkProductionSettings({ production: true, metrics: { token: "" } }).warnings.length,
    1,
  );
  assertEquals(
    checkProductionSettings({ production: true, metrics: { token: "s3cret-token" } }).warnings,
    [],
  );
  assertEquals(checkProductionSettings({ production: false, metrics: {} }).warnings, []);
});
