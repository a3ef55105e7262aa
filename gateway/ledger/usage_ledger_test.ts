import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { type CommitFate, interruptibleKv, ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { GatewayLifecycle } from "../gateway_lifecycle.ts";
import { GatewayMetrics } from "../gateway_metrics.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { ENTRY_PREFIX, USAGE_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";

const id = (i: number) => `req_${String(i).padStart(24, "0")}`;

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

async function userSum(kv: Deno.Kv, entry: LedgerEntry, metric: string): Promise<number> {
  const key = [...USAGE_PREFIX, entry.day, "user", entry.user, entry.bedrockModel!, metric];
  const v = await kv.get<Deno.KvU64>(key);
  return v.value === null ? 0 : Number(v.value.value);
}

/**
 * A real KV whose write-ahead commits wait while `held` (the commit in flight, as on a slow disk
 * or a far KV region) until `release()` lets the oldest through, and that records how many
 * entries each write-ahead commit wrote.
 */
function slowKv(kv: Deno.Kv) {
  const waiting: (() => void)[] = [];
  const state = {
    /** Entries per write-ahead commit, in commit order. */
    sizes: [] as number[],
    /** Resolves when the next write-ahead commit starts. */
    started: Promise.withResolvers<void>(),
    /** Write-ahead commits wait for `release()` while held. */
    held: false,
    /** Lets the oldest waiting commit through. */
    release() {
      waiting.shift()?.();
    },
  };
  const slow = interruptibleKv(kv, async (_, { walRecords }): Promise<CommitFate> => {
    if (walRecords === 0) return "commit";
    state.sizes.push(walRecords);
    state.started.resolve();
    state.started = Promise.withResolvers<void>();
    if (state.held) await new Promise<void>((resolve) => waiting.push(resolve));
    return "commit";
  });
  return { kv: slow, state };
}

Deno.test("UsageLedger.append() writes the entry ahead at once and rolls up after the flush interval", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv, timers, flushIntervalMs: 1_000 });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  ledger.append(ledgerEntry({ requestId: id(2) }));
  await ledger.durable();
  assertEquals(ledger.buffered, 0);
  assertEquals(await count(kv, WAL_PREFIX), 2, "durable before any timer fired");
  assertEquals(await count(kv, ENTRY_PREFIX), 0);
  assertEquals(timers.delays, [1_000], "one roll-up scheduled, not one per entry");
  timers.advance(1_000);
  await ledger.flush(); // waits for the flush the timer started, then finds nothing left
  assertEquals(await count(kv, ENTRY_PREFIX), 2);
  assertEquals(await count(kv, WAL_PREFIX), 0);
  assertEquals(timers.pending, 0);
});

Deno.test("UsageLedger.append() groups entries that arrive during a write into the next one", async () => {
  using real = await Deno.openKv(":memory:");
  const { kv, state } = slowKv(real);
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  state.held = true;
  const started = state.started.promise;
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await started; // the first entry's write is in flight
  for (let i = 2; i <= 4; i++) ledger.append(ledgerEntry({ requestId: id(i) }));
  assertEquals(ledger.buffered, 3, "waiting for the write in flight");
  state.held = false;
  state.release();
  await ledger.durable();
  assertEquals(state.sizes, [1, 3]);
  assertEquals(await count(real, WAL_PREFIX), 4);
  const report = await ledger.close();
  assertEquals(report, { logged: 0, rolledUp: 4, duplicates: 0 });
  assertEquals(await count(real, ENTRY_PREFIX), 4);
});

Deno.test("UsageLedger.append() with writeIntervalMs makes one commit per interval, and writes at once after a quiet one", async () => {
  using real = await Deno.openKv(":memory:");
  const { kv, state } = slowKv(real);
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv, timers, writeIntervalMs: 50 });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await ledger.durable();
  assertEquals(state.sizes, [1], "the first entry is written at once");
  timers.advance(10);
  ledger.append(ledgerEntry({ requestId: id(2) }));
  await Promise.resolve();
  timers.advance(20);
  ledger.append(ledgerEntry({ requestId: id(3) }));
  await Promise.resolve();
  assertEquals(state.sizes, [1], "within the interval: waiting");
  assertEquals(ledger.buffered, 2);
  assert(timers.delays.includes(20), "due 50 ms after the last commit started");
  timers.advance(20);
  await ledger.durable();
  assertEquals(state.sizes, [1, 2], "both in one commit once the interval passed");
  timers.advance(500); // quiet
  ledger.append(ledgerEntry({ requestId: id(4) }));
  await ledger.durable();
  assertEquals(state.sizes, [1, 2, 1]);
  await ledger.close();
  assertEquals(await count(real, ENTRY_PREFIX), 4);
  assertEquals(timers.pending, 0);
});

Deno.test("UsageLedger with writeIntervalMs writes at once when a caller waits for durability or a batch is full", async () => {
  using real = await Deno.openKv(":memory:");
  const { kv, state } = slowKv(real);
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv, timers, writeIntervalMs: 50, maxBatch: 3 });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  ledger.append(ledgerEntry({ requestId: id(2) }));
  await ledger.durable();
  assertEquals(state.sizes, [2]);
  ledger.append(ledgerEntry({ requestId: id(3) }));
  await ledger.durable(); // the clock has not moved
  assertEquals(state.sizes, [2, 1], "durable() does not wait for the interval");
  for (let i = 4; i <= 6; i++) ledger.append(ledgerEntry({ requestId: id(i) }));
  await Promise.resolve();
  assertEquals(state.sizes, [2, 1, 3], "a full batch goes without the clock moving");
  await ledger.durable();
  ledger.append(ledgerEntry({ requestId: id(7) }));
  await Promise.resolve();
  assertEquals(state.sizes, [2, 1, 3], "waiting for the interval");
  await ledger.close();
  assertEquals(state.sizes, [2, 1, 3, 1], "close() writes what waits");
  assertEquals(await count(real, ENTRY_PREFIX), 7);
  assertEquals(timers.pending, 0, "no write or flush timer left");
});

Deno.test("UsageLedger.flush() waits for the entries appended before it, not for later ones", async () => {
  using real = await Deno.openKv(":memory:");
  const { kv, state } = slowKv(real);
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  state.held = true;
  let started = state.started.promise;
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await started;
  const flushed = ledger.flush();
  // Requests go on ending while the flush waits: each commit finds new entries behind it.
  started = state.started.promise;
  ledger.append(ledgerEntry({ requestId: id(2) }));
  state.release();
  await started; // entry 2's commit is in flight, held
  const report = await flushed;
  assertEquals(report, { logged: 1, rolledUp: 1, duplicates: 0 });
  assertEquals(
    await count(real, ENTRY_PREFIX),
    1,
    "entry 1 rolled up while entry 2's commit waits",
  );
  state.held = false;
  state.release();
  await ledger.close();
  assertEquals(await count(real, ENTRY_PREFIX), 2);
});

Deno.test("UsageLedger rolls up at once when a batch of entries is logged", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers(), maxBatch: 3 });
  for (let i = 0; i < 3; i++) ledger.append(ledgerEntry({ requestId: id(i) }));
  await ledger.durable();
  const report = await ledger.flush();
  assertEquals(report.logged, 0, "written before this flush");
  assertEquals(await count(kv, ENTRY_PREFIX), 3, "rolled up by the size trigger");
  await ledger.close();
});

Deno.test("UsageLedger: after a failed write, appends wait for the retry on the timer", async () => {
  using real = await Deno.openKv(":memory:");
  let failing = true;
  let commits = 0;
  const kv = interruptibleKv(real, () => (commits++, failing ? "fail" : "commit"));
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv, timers, flushIntervalMs: 1_000 });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await assertRejects(() => ledger.durable(), Error, "interrupted");
  ledger.append(ledgerEntry({ requestId: id(2) }));
  ledger.append(ledgerEntry({ requestId: id(3) }));
  assertEquals(commits, 1, "no try per append while KV is failing");
  assertEquals(ledger.buffered, 3);
  assertEquals(timers.delays, [1_000]);
  failing = false;
  timers.advance(1_000);
  await ledger.flush();
  assertEquals(ledger.buffered, 0);
  assertEquals(await count(real, ENTRY_PREFIX), 3);
  ledger.append(ledgerEntry({ requestId: id(4) }));
  await ledger.durable();
  assertEquals(await count(real, WAL_PREFIX), 1, "written at once again once KV answered");
  await ledger.close();
});

Deno.test("UsageLedger.flush() keeps the batch in memory when the write-ahead commit fails, then writes it", async () => {
  using real = await Deno.openKv(":memory:");
  let failing = true;
  const kv = interruptibleKv(real, () => failing ? "fail" : "commit");
  const metrics = new GatewayMetrics();
  const ledger = new UsageLedger({ kv, timers: new FakeTimers(), metrics });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await assertRejects(() => ledger.flush(), Error, "interrupted");
  assertEquals(ledger.buffered, 1);
  assertEquals(metrics.value("ccgate_ledger_write_failures_total"), 1);
  failing = false;
  const report = await ledger.close();
  assertEquals(report, { logged: 1, rolledUp: 1, duplicates: 0 });
  assertEquals(await count(real, ENTRY_PREFIX), 1);
});

Deno.test("UsageLedger: a writer interrupted mid-batch, restarted, loses nothing and double-counts nothing", async () => {
  using real = await Deno.openKv(":memory:");
  const entries = Array.from(
    { length: 130 },
    (_, i) => ledgerEntry({ requestId: id(i), outputTokens: i + 1, inputTokens: 2 * i }),
  );
  // Commit 0 is the write-ahead batch; commits 1..3 roll up chunks of 50, 50 and 30. The second
  // chunk and every commit after it are interrupted: the writer "dies" part-way through the batch.
  const crashing = new UsageLedger({
    kv: interruptibleKv(real, (n) => n <= 1 ? "commit" : "fail"),
    timers: new FakeTimers(),
    maxBatch: 200,
  });
  for (const e of entries) crashing.append(e);
  const partial = await crashing.flush();
  assertEquals(partial.logged, 130);
  assertEquals(partial.rolledUp, 50);
  assertEquals(await count(real, WAL_PREFIX), 80, "the rest is durable in the write-ahead log");

  // The same entries are appended again by a confused retry, then a new writer starts.
  const restarted = new UsageLedger({ kv: real, timers: new FakeTimers() });
  const recovered = await restarted.recover();
  assertEquals(recovered.rolledUp, 80);
  for (const e of entries.slice(0, 10)) restarted.append(e);
  // One more new entry in the same batch: the batched roll-up finds the duplicates and falls
  // back to one by one, which sums the new one and skips the ten.
  const late = ledgerEntry({ requestId: id(130), outputTokens: 131, inputTokens: 260 });
  restarted.append(late);
  const retried = await restarted.close();
  assertEquals(retried, { logged: 11, rolledUp: 1, duplicates: 10 });

  assertEquals(await count(real, ENTRY_PREFIX), 131);
  assertEquals(await count(real, WAL_PREFIX), 0);
  const first = entries[0]!;
  assertEquals(await userSum(real, first, "requests"), 131);
  assertEquals(await userSum(real, first, "output_tokens"), (131 * 132) / 2);
  assertEquals(await userSum(real, first, "input_tokens"), 2 * (130 * 131) / 2);
  assertEquals(await (await restarted.recover()).rolledUp, 0, "recover() again finds nothing");
});

Deno.test("UsageLedger retries a failed roll-up on its next flush", async () => {
  using real = await Deno.openKv(":memory:");
  let n = 0;
  const kv = interruptibleKv(real, () => n++ === 1 ? "fail" : "commit");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  const first = await ledger.flush();
  assertEquals(first.rolledUp, 0);
  const second = await ledger.flush();
  assertEquals(second.rolledUp, 1);
  assertEquals(await count(real, ENTRY_PREFIX), 1);
  assert(await count(real, WAL_PREFIX) === 0);
});

Deno.test("UsageLedger.close() as a GatewayLifecycle drain hook flushes what is buffered", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv, timers });
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 10, timers });
  lifecycle.onDrain(async () => {
    await ledger.close();
  });
  ledger.append(ledgerEntry({ requestId: id(1) }));
  ledger.append(ledgerEntry({ requestId: id(2) }));
  const report = await lifecycle.drain(1_000);
  assertEquals(report.hookFailures, 0);
  assertEquals(await count(kv, ENTRY_PREFIX), 2);
  assertEquals(timers.pending, 0, "the flush timer is gone");
  ledger.append(ledgerEntry({ requestId: id(3) }));
  assertEquals(timers.pending, 0, "a closed ledger schedules no more flushes");
  await ledger.flush();
  assertEquals(
    await count(kv, ENTRY_PREFIX),
    3,
    "an entry recorded after close is written at once",
  );
});

Deno.test("UsageLedger.recover() run by two instances at once rolls each entry up exactly once", async () => {
  using kv = await Deno.openKv(":memory:");
  const entries = Array.from({ length: 30 }, (_, i) => ledgerEntry({ requestId: id(i) }));
  const op = kv.atomic();
  for (const e of entries) op.set([...WAL_PREFIX, e.requestId], e);
  assert((await op.commit()).ok);
  const a = new UsageLedger({ kv, timers: new FakeTimers() });
  const b = new UsageLedger({ kv, timers: new FakeTimers() });
  const [ra, rb] = await Promise.all([a.recover(), b.recover()]);
  assertEquals(ra.rolledUp + rb.rolledUp, 30);
  assertEquals(await count(kv, ENTRY_PREFIX), 30);
  assertEquals(await userSum(kv, entries[0]!, "requests"), 30);
  assertEquals(await userSum(kv, entries[0]!, "output_tokens"), 30 * 20);
});
