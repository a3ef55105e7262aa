import { assertEquals } from "../../testing/assert.ts";
import { retentionPlan } from "./retention_plan.ts";

const NOW = new Date("2026-11-30T00:05:00.000Z");
const KEPT_DAY = "2026-10-31";
const ALL_30 = { ledgerDays: 30, usageDays: 30, auditDays: 30 };

Deno.test("retentionPlan() keeps day today − N and plans nothing for a setting of 0", () => {
  const plan = retentionPlan(NOW, { ledgerDays: 30, usageDays: 0, auditDays: 1 });
  assertEquals(plan.map((r) => [r.target, r.before]), [
    ["ledger_entries", KEPT_DAY],
    ["audit", "2026-11-29"],
    ["audit_denied_count", "2026-11-29"],
  ]);
  assertEquals(retentionPlan(NOW, { ledgerDays: 0, usageDays: 0, auditDays: 0 }), []);
  // The last millisecond of a day plans as that day.
  assertEquals(
    retentionPlan(new Date("2026-11-30T23:59:59.999Z"), ALL_30)[0]!.before,
    KEPT_DAY,
  );
});

Deno.test("retentionPlan() never plans the write-ahead log or open records", () => {
  const plan = retentionPlan(NOW, { ledgerDays: 1, usageDays: 1, auditDays: 1 });
  for (const range of plan) {
    assertEquals(["wal", "open"].includes(String(range.prefix[1])), false, String(range.prefix));
  }
  assertEquals(plan.map((r) => r.prefix), [
    ["ledger", "entry"],
    ["usage"],
    ["audit"],
    ["audit_denied_count"],
  ]);
});
