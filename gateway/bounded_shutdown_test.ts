import { assert, assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { interruptibleKv, ledgerEntry } from "../testing/ledger_fixtures.ts";
import { boundedShutdown, FLUSH_GRACE_MS } from "./bounded_shutdown.ts";
import { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { gracefulShutdown } from "./graceful_shutdown.ts";
import { ENTRY_PREFIX, WAL_PREFIX } from "./ledger/roll_up_entry.ts";
import { UsageLedger } from "./ledger/usage_ledger.ts";
import type { LogRecord } from "./log.ts";

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/**
 * The shutdown of `main.ts` and `gateway/main.ts` over a real KV whose commits go through or hang:
 * the ledger's drain hook (as `startGatewayServices` registers it), `gracefulShutdown` with the
 * last flush in its cleanup, bounded by the drain deadline plus the grace.
 */
function shutdownOver(kv: Deno.Kv, fate: "commit" | "hang") {
  const timers = new FakeTimers();
  const logs: LogRecord[] = [];
  const log = (record: LogRecord) => void logs.push(record);
  const exits: number[] = [];
  const ledger = new UsageLedger({ kv: interruptibleKv(kv, () => fate), timers, log });
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 10, timers });
  lifecycle.onDrain(async () => {
    await ledger.close();
  });
  const deadlineMs = 1_000;
  const shutdown = gracefulShutdown({
    lifecycle,
    timers,
    delayMs: 0,
    deadlineMs,
    stopListening: () => Promise.resolve(),
    log,
    async cleanup() {
      await ledger.flush();
      exits.push(0);
    },
  });
  const stop = boundedShutdown(shutdown, {
    boundMs: deadlineMs + FLUSH_GRACE_MS,
    timers,
    ledger,
    log,
    exit: (code) => void exits.push(code),
  });
  return { timers, logs, exits, ledger, stop };
}

Deno.test("boundedShutdown() exits with 1 at the drain deadline plus the grace when KV hangs, and logs what was left", async () => {
  using kv = await Deno.openKv(":memory:");
  const { timers, logs, exits, ledger, stop } = shutdownOver(kv, "hang");
  ledger.append(ledgerEntry({ requestId: "req_1" }));
  ledger.append(ledgerEntry({ requestId: "req_2" }));
  const stopping = stop();
  assert(stop() === stopping, "a second signal does not start another bound");
  await timers.whenPending(1_000 + FLUSH_GRACE_MS);
  timers.advance(1_000 + FLUSH_GRACE_MS);
  assertEquals(await stopping, false);
  assertEquals(exits, [1]);
  const left = logs.find((r) => r.msg === "shutdown cut short: usage ledger not flushed");
  assert(left, JSON.stringify(logs));
  assertEquals([left.level, left.bound_ms, left.unwritten], ["error", 6_000, 2]);
  assert(String(left.recovery).includes("next start"), "says how it is recovered");
  assertEquals(await count(kv, WAL_PREFIX), 0, "nothing reached KV");
});

Deno.test("boundedShutdown() lets a shutdown whose KV answers finish, and clears its bound", async () => {
  using kv = await Deno.openKv(":memory:");
  const { timers, logs, exits, ledger, stop } = shutdownOver(kv, "commit");
  ledger.append(ledgerEntry({ requestId: "req_1" }));
  assertEquals(await stop(), true);
  assertEquals(exits, [0]);
  assertEquals(await count(kv, ENTRY_PREFIX), 1);
  assertEquals(timers.pending, 0, "the bound's timer is cleared");
  assert(!logs.some((r) => r.level === "error"), JSON.stringify(logs));
});

Deno.test("boundedShutdown() keeps its bound within the longest timer delay", async () => {
  const timers = new FakeTimers();
  const exits: number[] = [];
  const stop = boundedShutdown(() => new Promise<void>(() => {}), {
    boundMs: 2_147_483_647 + FLUSH_GRACE_MS,
    timers,
    ledger: { unwritten: 0 },
    log: () => {},
    exit: (code) => void exits.push(code),
  });
  const stopping = stop();
  await timers.whenPending(2_147_483_647);
  timers.advance(2_147_483_647);
  assertEquals(await stopping, false);
  assertEquals(exits, [1]);
});

Deno.test("boundedShutdown() exits with 1 and logs when the shutdown throws", async () => {
  const timers = new FakeTimers();
  const logs: LogRecord[] = [];
  const exits: number[] = [];
  const stop = boundedShutdown(() => Promise.reject(new Error("KV closed")), {
    boundMs: 1_000,
    timers,
    ledger: { unwritten: 0 },
    log: (r) => void logs.push(r),
    exit: (code) => void exits.push(code),
  });
  assertEquals(await stop(), false);
  assertEquals(exits, [1]);
  assertEquals(logs.map((r) => [r.msg, r.error]), [["shutdown failed", "KV closed"]]);
  assertEquals(timers.pending, 0);
});
