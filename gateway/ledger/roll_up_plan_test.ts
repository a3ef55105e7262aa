import { assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import {
  ENTRY_PREFIX,
  entryIndexKeys,
  rollupKeyBytes,
  rollupSums,
  userIndexKey,
  WAL_PREFIX,
} from "./roll_up_entry.ts";
import { planRollUp } from "./roll_up_plan.ts";

Deno.test("planRollUp() carries an entry's roll-up sums with their keys as text and sizes, and its own keys' size", () => {
  const entry = ledgerEntry({ requestId: "req_1", tid: "tenant-ü", groups: ["eng", "ml"] });
  const plan = planRollUp(entry);
  assertEquals(plan.entry, entry);
  assertEquals(
    plan.sums.map(({ id, key, n, bytes }) => [id, key, n, bytes]),
    rollupSums(entry).map(([key, n]) => [JSON.stringify(key), key, n, rollupKeyBytes(key)]),
  );
  assertEquals(plan.size, JSON.stringify(entry).length + 256);
  assertEquals(
    plan.ownKeyBytes,
    2 * rollupKeyBytes([...WAL_PREFIX, "req_1"]) +
      2 * rollupKeyBytes([...ENTRY_PREFIX, entry.day, "req_1"]) +
      rollupKeyBytes(userIndexKey(entry)) +
      rollupKeyBytes(["ledger", "by_tenant", "tenant-ü", entry.day, "req_1"]),
  );
  assertEquals(plan.indexKeys, entryIndexKeys(entry));
  assertEquals(plan.indexKeys.length, 2, "the user's and the tenant's");
});

Deno.test("planRollUp() leaves out the tenant's rows of a tenant tenantRollUps does not take", () => {
  const entry = ledgerEntry({ requestId: "req_1", tid: "admin-tenant", groups: [] });
  const tenantKeys = (tenantRollUps?: (tid: string) => boolean) =>
    planRollUp(entry, tenantRollUps).sums.filter((s) => s.key.includes("tenant")).length;
  assertEquals(tenantKeys((tid) => tid !== "admin-tenant"), 0);
  assertEquals(tenantKeys() > 0, true);
});
