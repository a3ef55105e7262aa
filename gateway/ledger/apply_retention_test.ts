import { assert, assertEquals } from "../../testing/assert.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { AuditLog, type AuditRecord } from "../admin/audit_log.ts";
import { applyRetention } from "./apply_retention.ts";
import { rollUpEntry, WAL_PREFIX } from "./roll_up_entry.ts";

// Today is 2026-11-30; with 30 days kept, 2026-10-31 is the oldest day kept, 2026-10-30 is due.
const NOW = new Date("2026-11-30T00:05:00.000Z");
const KEPT_DAY = "2026-10-31";
const DUE_DAY = "2026-10-30";
const ALL_30 = { ledgerDays: 30, usageDays: 30, auditDays: 30 };

/** Rolls one entry of `day` up through the write-ahead log, as the ledger does. */
async function writeEntry(
  kv: Deno.Kv,
  day: string,
  n: number,
  user = "user-a",
  tid?: string,
): Promise<void> {
  const requestId = `req_${day}_${String(n).padStart(4, "0")}`;
  const entry = ledgerEntry({ requestId, day, at: `${day}T23:59:59.999Z`, user, tid });
  await kv.set([...WAL_PREFIX, requestId], entry);
  assertEquals(await rollUpEntry(kv, requestId), "rolled_up");
}

async function keysUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const out: Deno.KvKey[] = [];
  for await (const item of kv.list({ prefix })) out.push(item.key);
  return out;
}

/** The distinct day parts of the keys under `prefix` (the part right after it). */
async function daysUnder(kv: Deno.Kv, prefix: Deno.KvKey, at = prefix.length) {
  return [...new Set((await keysUnder(kv, prefix)).map((k) => String(k[at]).slice(0, 10)))].sort();
}

Deno.test("applyRetention() deletes entries, index and roll-ups of due days and keeps the boundary day", async () => {
  using kv = await Deno.openKv(":memory:");
  for (const day of [DUE_DAY, "2026-10-01", KEPT_DAY, "2026-11-30"]) {
    await writeEntry(kv, day, 1, "user-a");
    await writeEntry(kv, day, 2, "user-b");
  }
  const counts = await applyRetention({ kv, now: () => NOW }, ALL_30);
  assertEquals(await daysUnder(kv, ["ledger", "entry"]), [KEPT_DAY, "2026-11-30"]);
  assertEquals(await daysUnder(kv, ["ledger", "by_user"], 3), [KEPT_DAY, "2026-11-30"]);
  assertEquals(await daysUnder(kv, ["usage"]), [KEPT_DAY, "2026-11-30"]);
  assertEquals(counts.ledgerEntries, 4);
  assertEquals(counts.userIndex, 4);
  assert(counts.usage > 0);
  assert(counts.complete);
  // A second run finds nothing more.
  const again = await applyRetention({ kv, now: () => NOW }, ALL_30);
  assertEquals([again.ledgerEntries, again.usage, again.batches], [0, 0, 0]);
});

Deno.test("applyRetention() deletes the per-tenant index keys of due entries with them", async () => {
  using kv = await Deno.openKv(":memory:");
  for (const day of [DUE_DAY, KEPT_DAY]) {
    await writeEntry(kv, day, 1, "user-a", "Tenant-B");
    await writeEntry(kv, day, 2, "user-b");
  }
  assertEquals(await daysUnder(kv, ["ledger", "by_tenant"], 3), [DUE_DAY, KEPT_DAY]);
  const counts = await applyRetention({ kv, now: () => NOW }, { ...ALL_30, usageDays: 0 });
  assertEquals([counts.ledgerEntries, counts.userIndex, counts.tenantIndex], [2, 2, 1]);
  assertEquals(await keysUnder(kv, ["ledger", "by_tenant"]), [
    ["ledger", "by_tenant", "tenant-b", KEPT_DAY, `req_${KEPT_DAY}_0001`],
  ]);
});

Deno.test("applyRetention() keeps roll-ups when their setting is 0", async () => {
  using kv = await Deno.openKv(":memory:");
  await writeEntry(kv, DUE_DAY, 1);
  const before = await keysUnder(kv, ["usage"]);
  assert(before.some((k) => k[2] === "stats") && before.some((k) => k[2] === "group_member"));
  const counts = await applyRetention({ kv, now: () => NOW }, { ...ALL_30, usageDays: 0 });
  assertEquals(counts.usage, 0);
  assertEquals(await keysUnder(kv, ["usage"]), before);
  assertEquals(await keysUnder(kv, ["ledger", "entry"]), []);
});

Deno.test("applyRetention() never touches the write-ahead log or open records", async () => {
  using kv = await Deno.openKv(":memory:");
  // Keys that sort like old days under the ledger's other prefixes.
  const wal = ["ledger", "wal", "2020-01-01"];
  const open = ["ledger", "open", 0, "req_old"];
  const openDay = ["ledger", "open", "2020-01-01", "req_old"];
  for (const key of [wal, open, openDay]) await kv.set(key, ledgerEntry({ day: "2020-01-01" }));
  await writeEntry(kv, "2020-01-01", 1);
  const counts = await applyRetention({ kv, now: () => NOW }, { ...ALL_30, ledgerDays: 1 });
  assertEquals(counts.ledgerEntries, 1);
  for (const key of [wal, open, openDay]) assert((await kv.get(key)).value !== null, String(key));
});

Deno.test("applyRetention() deletes audit records and denied counters of due days only", async () => {
  using kv = await Deno.openKv(":memory:");
  const audit = new AuditLog(kv);
  for (const day of [DUE_DAY, KEPT_DAY]) {
    const base = { actor: "a", sid: "s", action: "GET /admin/api/usage", details: {} };
    const allowed: AuditRecord = {
      ...base,
      at: `${day}T23:59:00.000Z`,
      requestId: `r${day}`,
      status: 200,
      decision: "allowed",
    };
    await audit.write(allowed);
    await audit.write({ ...allowed, at: `${day}T23:59:30.000Z`, status: 403, decision: "denied" });
  }
  const counts = await applyRetention({ kv, now: () => NOW }, { ...ALL_30, ledgerDays: 0 });
  // A denied minute has two counters: its action's calls and its actor's distinct actions.
  assertEquals([counts.audit, counts.auditDeniedCount], [2, 2]);
  assertEquals(await daysUnder(kv, ["audit"]), [KEPT_DAY]);
  assertEquals(await daysUnder(kv, ["audit_denied_count"]), [KEPT_DAY]);
  assertEquals((await keysUnder(kv, ["audit"])).length, 2);
});

Deno.test("applyRetention() stopped by its batch limit resumes on the next run", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let n = 0; n < 25; n++) await writeEntry(kv, DUE_DAY, n);
  const settings = { ...ALL_30, usageDays: 0 };
  // 4 deletions a batch (2 entries with their index keys), 3 batches a run: 6 entries a run.
  const options = { maxMutations: 4, maxBatches: 3 };
  const first = await applyRetention({ kv, now: () => NOW }, settings, options);
  assertEquals([first.ledgerEntries, first.userIndex, first.batches], [6, 6, 3]);
  assertEquals(first.complete, false);
  assertEquals((await keysUnder(kv, ["ledger", "entry"])).length, 19);
  let runs = 1;
  let last = first;
  while (!last.complete) {
    last = await applyRetention({ kv, now: () => NOW }, settings, options);
    runs++;
    assert(last.batches <= 3);
  }
  assertEquals(runs, 5); // 6 + 6 + 6 + 6 + 1 entries
  assertEquals(await keysUnder(kv, ["ledger", "entry"]), []);
  assertEquals(await keysUnder(kv, ["ledger", "by_user"]), []);
});

Deno.test("applyRetention() stops at its time bound on the injected clock", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let n = 0; n < 10; n++) await writeEntry(kv, DUE_DAY, n);
  // Each reading of the clock is a second later; the run may take 2.5 s.
  let ms = NOW.getTime();
  const now = () => new Date(ms += 1_000);
  const counts = await applyRetention({ kv, now }, { ...ALL_30, usageDays: 0 }, {
    maxMutations: 2,
    maxRunMs: 2_500,
  });
  assertEquals(counts.complete, false);
  assertEquals(counts.ledgerEntries, counts.batches);
  assert(counts.batches >= 1 && counts.batches < 10, String(counts.batches));
});
