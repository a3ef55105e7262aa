/**
 * One bad entry never blocks the others: an entry no KV value can hold is
 * dropped (loudly) before the commit it would fail, and recovery rolls up
 * the rest of the log past an entry that cannot be rolled up.
 */
import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { GatewayMetrics } from "../gateway_metrics.ts";
import type { LogRecord } from "../log.ts";
import { ENTRY_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";

const id = (i: number) => `req_${String(i).padStart(24, "0")}`;

async function ids(kv: Deno.Kv, prefix: Deno.KvKey): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix })) out.push(String(e.key.at(-1)));
  return out.sort();
}

Deno.test("UsageLedger drops an entry no KV value can hold, says so, and writes the others", async () => {
  using kv = await Deno.openKv(":memory:");
  const logs: LogRecord[] = [];
  const metrics = new GatewayMetrics();
  const ledger = new UsageLedger({
    kv,
    timers: new FakeTimers(),
    log: (r) => logs.push(r),
    metrics,
  });
  ledger.append(ledgerEntry({ requestId: id(0) }));
  ledger.append(ledgerEntry({ requestId: id(1), model: "x".repeat(70_000) }));
  ledger.append(ledgerEntry({ requestId: id(2) }));
  await ledger.durable();
  assertEquals(await ids(kv, WAL_PREFIX), [id(0), id(2)]);
  assertEquals(ledger.buffered, 0, "nothing left to retry");
  assertEquals(logs.map((r) => [r.level, r.msg, r.request_id]), [
    ["error", "usage ledger entry too large to write: dropped", id(1)],
  ]);
  assertEquals(metrics.value("ccgate_ledger_write_failures_total", {}), 1);
  ledger.append(ledgerEntry({ requestId: id(3) }));
  await ledger.close();
  assertEquals(await ids(kv, ENTRY_PREFIX.concat("2026-11-30")), [id(0), id(2), id(3)]);
});

Deno.test("UsageLedger.recover() rolls up the rest of the log past an entry it cannot roll up, and leaves that one", async () => {
  using kv = await Deno.openKv(":memory:");
  const op = kv.atomic();
  for (let i = 0; i < 5; i++) {
    // Entry 2 holds a count no KV sum takes (what an unchecked upstream once let through).
    const entry = ledgerEntry({ requestId: id(i), outputTokens: i === 2 ? 1e30 : 20 });
    op.set([...WAL_PREFIX, entry.requestId], entry);
  }
  await op.commit();
  const logs: LogRecord[] = [];
  const ledger = new UsageLedger({ kv, timers: new FakeTimers(), log: (r) => logs.push(r) });
  const report = await ledger.recover();
  assertEquals(report.rolledUp, 4);
  assertEquals(await ids(kv, WAL_PREFIX), [id(2)]);
  assertEquals(logs.map((r) => [r.level, r.request_id]), [["error", id(2)]]);
  await ledger.close();
});
