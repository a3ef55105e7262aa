import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { loadGatewayConfig } from "../config.ts";
import { startGatewayServices } from "../gateway_services.ts";
import { recoverLog } from "./ledger_recovery.ts";
import { USAGE_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";

const DAY = "2026-12-01";
const NOW = new Date(`${DAY}T10:00:00Z`);

/** The tenants that have `tenant` roll-up rows that day. */
async function tenantsRolledUp(kv: Deno.Kv): Promise<string[]> {
  const tenants = new Set<string>();
  for await (const item of kv.list({ prefix: [...USAGE_PREFIX, DAY, "tenant"] })) {
    tenants.add(item.key[3] as string);
  }
  for await (const item of kv.list({ prefix: [...USAGE_PREFIX, DAY, "stats", "tenant"] })) {
    tenants.add(`stats:${item.key[4] as string}`);
  }
  return [...tenants].sort();
}

const entries = () => [
  ledgerEntry({ requestId: "req_1", day: DAY, tid: "admin-tenant", groups: [] }),
  ledgerEntry({ requestId: "req_2", day: DAY, tid: "other-tenant", groups: [] }),
  ledgerEntry({ requestId: "req_3", day: DAY, groups: [] }),
];

Deno.test("UsageLedger with tenantRollUps rolls up only the tenants it takes, in its roll-ups and in recovery", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({
    kv,
    timers: new FakeTimers(),
    tenantRollUps: (tid) => tid !== "admin-tenant",
  });
  for (const entry of entries()) ledger.append(entry);
  await ledger.close();
  assertEquals(await tenantsRolledUp(kv), ["other-tenant", "stats:other-tenant"]);

  // What a crashed writer left in the log is rolled up the same way at start-up.
  using left = await Deno.openKv(":memory:");
  for (const entry of entries()) await left.set([...WAL_PREFIX, entry.requestId], entry);
  await recoverLog(left, undefined, (tid) => tid !== "admin-tenant");
  assertEquals(await tenantsRolledUp(left), ["other-tenant", "stats:other-tenant"]);
});

Deno.test("startGatewayServices() rolls up per tenant only the tenants outside the admin tenants", async () => {
  for (
    const [env, expected] of [
      [{ CCGATE_ADMIN_TENANTS: "admin-tenant" }, ["other-tenant", "stats:other-tenant"]],
      // One tenant, or no tenant rule: every admin sees everything, so no tenant reads its rows.
      [{ ENTRA_TENANT_ID: "admin-tenant" }, ["other-tenant", "stats:other-tenant"]],
      [{}, []],
    ] as const
  ) {
    using kv = await Deno.openKv(":memory:");
    const timers = new FakeTimers();
    const services = await startGatewayServices({
      config: loadGatewayConfig({ AWS_REGION: "us-east-1", ...env }),
      kv,
      log: () => {},
      timers,
      now: () => NOW,
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
    });
    for (const entry of entries()) services.ledger.append(entry);
    await services.lifecycle.drain(0);
    assertEquals(await tenantsRolledUp(kv), [...expected], JSON.stringify(env));
  }
});
