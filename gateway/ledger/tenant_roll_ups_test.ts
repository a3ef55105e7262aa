import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { kvWithAtomic, ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { loadGatewayConfig } from "../config.ts";
import { startGatewayServices } from "../gateway_services.ts";
import { recoverLog } from "./ledger_recovery.ts";
import { type LedgerKv, TENANT_INDEX_PREFIX, USAGE_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";

const DAY = "2026-12-01";
const NOW = new Date(`${DAY}T10:00:00Z`);

/** The keys of the per-tenant index. */
async function tenantIndex(kv: Deno.Kv): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of kv.list({ prefix: TENANT_INDEX_PREFIX })) keys.push(item.key.join());
  return keys;
}

/** A KV whose atomic operations' mutations are recorded, one list of keys per commit. */
function recordingMutations(kv: Deno.Kv): { kv: LedgerKv; commits: string[][] } {
  const commits: string[][] = [];
  return {
    commits,
    kv: kvWithAtomic(kv, (op) => {
      const keys: string[] = [];
      const { set, sum, delete: del, commit } = op;
      op.set = (
        key,
        value,
        options,
      ) => (keys.push(key.join()), set.call(op, key, value, options));
      op.sum = (key, n) => (keys.push(key.join()), sum.call(op, key, n));
      op.delete = (key) => (keys.push(key.join()), del.call(op, key));
      op.commit = () => (commits.push(keys), commit.call(op));
      return op;
    }),
  };
}

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
  assertEquals(await tenantIndex(kv), [`ledger,by_tenant,other-tenant,${DAY},req_2`]);

  // What a crashed writer left in the log is rolled up the same way at start-up.
  using left = await Deno.openKv(":memory:");
  for (const entry of entries()) await left.set([...WAL_PREFIX, entry.requestId], entry);
  await recoverLog(left, undefined, (tid) => tid !== "admin-tenant");
  assertEquals(await tenantsRolledUp(left), ["other-tenant", "stats:other-tenant"]);
  assertEquals(await tenantIndex(left), [`ledger,by_tenant,other-tenant,${DAY},req_2`]);
});

Deno.test("UsageLedger with tenantRollUps rolls up an admin tenant's entry with the mutations of an entry without a tenant: no index key, no tenant rows", async () => {
  // One entry per ledger, rolled up in one batch: its commit's mutations.
  const rollUp = async (entry: ReturnType<typeof entries>[number]) => {
    using kv = await Deno.openKv(":memory:");
    const recorded = recordingMutations(kv);
    const ledger = new UsageLedger({
      kv: recorded.kv,
      timers: new FakeTimers(),
      tenantRollUps: (tid) => tid !== "admin-tenant",
    });
    ledger.append(entry);
    await ledger.close();
    const rollUps = recorded.commits.filter((keys) => keys.some((k) => k.startsWith("usage,")));
    assertEquals(rollUps.length, 1);
    return rollUps[0]!;
  };
  const [admin, other, untenanted] = entries();
  const adminKeys = await rollUp(admin!);
  const untenantedKeys = await rollUp(untenanted!);
  // Log delete, entry set, user index set; 4 sums of the user row (requests, input and output
  // tokens, cost), 2 latency buckets for all and 2 for the user.
  assertEquals(adminKeys.length, 3 + 4 + 4);
  assertEquals(untenantedKeys.length, adminKeys.length);
  assertEquals(adminKeys.filter((k) => k.includes("by_tenant") || k.includes("tenant")), []);
  // Another tenant's entry: its index key, its tenant's 4 row sums and 2 latency buckets.
  const otherKeys = await rollUp(other!);
  assertEquals(otherKeys.length, adminKeys.length + 1 + 4 + 2);
  assertEquals(otherKeys.filter((k) => k.startsWith("ledger,by_tenant,")), [
    `ledger,by_tenant,other-tenant,${DAY},req_2`,
  ]);
});

Deno.test("startGatewayServices() rolls up and indexes per tenant only the tenants outside the admin tenants", async () => {
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
    assertEquals(
      await tenantIndex(kv),
      expected.length === 0 ? [] : [`ledger,by_tenant,other-tenant,${DAY},req_2`],
      `the tenant index of the same tenants: ${JSON.stringify(env)}`,
    );
  }
});
