import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { interruptibleKv, ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { GatewayMetrics } from "../gateway_metrics.ts";
import { UsageLedger } from "./usage_ledger.ts";

const id = (i: number) => `req_${String(i).padStart(24, "0")}`;

Deno.test("UsageLedger counts the entries it drops when its buffer is full in ccgate_ledger_dropped_total", async () => {
  using real = await Deno.openKv(":memory:");
  const kv = interruptibleKv(real, () => "fail");
  const metrics = new GatewayMetrics();
  const ledger = new UsageLedger({ kv, timers: new FakeTimers(), maxBuffered: 2, metrics });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await ledger.durable().catch(() => {}); // KV fails: the entry stays buffered
  for (let i = 2; i <= 5; i++) ledger.append(ledgerEntry({ requestId: id(i) }));
  assertEquals(ledger.buffered, 2);
  assertEquals(metrics.value("ccgate_ledger_dropped_total"), 3);
  assertEquals(metrics.value("ccgate_ledger_buffered_entries"), 2);
});
