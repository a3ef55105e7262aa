import { assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { BudgetOverrides } from "./admin/budget_overrides.ts";
import { loadGatewayConfig } from "./config.ts";
import { startGatewayServices } from "./gateway_services.ts";

Deno.test("startGatewayServices() re-reads budget overrides on its timers, and the drain stops it", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const config = loadGatewayConfig({ CCGATE_POLICY_SYNC_MS: "5000", AWS_REGION: "us-east-1" });
  const services = await startGatewayServices({
    config,
    kv,
    log: () => {},
    timers,
    now: () => new Date("2026-11-30T10:00:00Z"),
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  });
  assertEquals(timers.delays, [5_000], "one re-read armed, on the injected timers");

  // An admin on another instance sets an override: this instance sees it at the next re-read.
  await new BudgetOverrides(kv, () => new Date("2026-11-30T10:00:00Z")).set({
    user: "alice",
    budgets: { daily_usd: 50 },
    expiresAt: null,
    reason: "launch week",
    setBy: "admin",
    setAt: "2026-11-30T10:00:00Z",
  });
  assertEquals(services.budgetOverrides.active("alice"), undefined);
  timers.advance(5_000);
  await timers.whenPending(5_000); // re-armed once the read has finished
  assertEquals(services.budgetOverrides.active("alice")?.budgets, { daily_usd: 50 });

  await services.lifecycle.drain(0);
  assertEquals(timers.pending, 0, "the drain cleared the re-read");
});
