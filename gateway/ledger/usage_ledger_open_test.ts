import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { interruptibleKv, ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { LedgerEntry, OpenRecord } from "./ledger_entry.ts";
import { ENTRY_PREFIX, OPEN_PREFIX, openKey, USAGE_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";

const id = (i: number) => `req_${String(i).padStart(24, "0")}`;
const T0 = Date.parse("2026-11-30T10:00:00Z");

async function keys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix })) out.push(String(e.key.at(-1)));
  return out;
}

/** The rolled-up entry of request `i`, if any. */
async function rolledUp(kv: Deno.Kv, i: number): Promise<LedgerEntry | null> {
  return (await kv.get<LedgerEntry>([...ENTRY_PREFIX, "2026-11-30", id(i)])).value;
}

function interrupted(i: number, usage: Partial<LedgerEntry> = {}): LedgerEntry {
  return ledgerEntry({ requestId: id(i), outcome: "interrupted", status: 200, ...usage });
}

Deno.test("UsageLedger.open() keeps a request's open record in KV until its entry is written, and deletes it in that commit", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  ledger.open(interrupted(1, { inputTokens: 100 }), T0 + 60_000);
  await ledger.durable();
  assertEquals(await keys(kv, OPEN_PREFIX), [id(1)]);
  const record = (await kv.get<OpenRecord>(openKey(T0 + 60_000, id(1)))).value!;
  assertEquals(record.until, T0 + 60_000);
  assertEquals(record.entry.inputTokens, 100);
  ledger.open(interrupted(1, { inputTokens: 250 }), T0 + 60_000);
  await ledger.durable();
  const again = await kv.get<OpenRecord>(openKey(T0 + 60_000, id(1)));
  assertEquals(again.value!.entry.inputTokens, 250);

  ledger.append(ledgerEntry({ requestId: id(1), outcome: "completed" }));
  await ledger.durable();
  assertEquals(await keys(kv, OPEN_PREFIX), [], "gone with the entry's write-ahead");
  assertEquals(await keys(kv, WAL_PREFIX), [id(1)]);
  await ledger.close();
  assertEquals((await rolledUp(kv, 1))?.outcome, "completed");
});

Deno.test("UsageLedger.open() and append() of one request in one commit write no open record", async () => {
  using real = await Deno.openKv(":memory:");
  const sets: string[][] = [];
  const kv = interruptibleKv(real, () => "commit");
  const atomic = kv.atomic;
  kv.atomic = () => {
    const op = atomic();
    const set = op.set.bind(op);
    op.set = (key, value, options) => {
      sets.push(key.map(String));
      return set(key, value, options);
    };
    return op;
  };
  const ledger = new UsageLedger({ kv, timers: new FakeTimers() });
  ledger.open(interrupted(1), T0 + 60_000);
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await ledger.durable();
  assertEquals(sets, [[...WAL_PREFIX.map(String), id(1)]]);
  assertEquals(await keys(real, OPEN_PREFIX), []);
  await ledger.close();
});

Deno.test("UsageLedger.sweep() rolls up a dead writer's open records as interrupted once their time is past, once across instances", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = T0;
  const dead = new UsageLedger({ kv, timers: new FakeTimers(), clock: () => now });
  dead.open(interrupted(1, { inputTokens: 1_000 }), T0 + 60_000);
  dead.open(interrupted(2, { inputTokens: 2_000 }), T0 + 120_000);
  await dead.durable(); // then the process dies: no append, no close

  const a = new UsageLedger({ kv, timers: new FakeTimers(), clock: () => now });
  const b = new UsageLedger({ kv, timers: new FakeTimers(), clock: () => now });
  assertEquals((await a.sweep()).length, 0, "both may still be running");
  now = T0 + 60_000;
  const swept = await Promise.all([a.sweep(), b.sweep()].map(async (p) => (await p).length));
  assertEquals(swept[0]! + swept[1]!, 1, "moved by one instance only");
  const entry = (await rolledUp(kv, 1))!;
  assertEquals(entry.outcome, "interrupted");
  assertEquals(entry.inputTokens, 1_000);
  assertEquals(await keys(kv, OPEN_PREFIX), [id(2)]);
  assertEquals(await keys(kv, WAL_PREFIX), []);
  const sum = await kv.get<Deno.KvU64>([
    ...USAGE_PREFIX,
    "2026-11-30",
    "user",
    entry.user,
    entry.bedrockModel!,
    "input_tokens",
  ]);
  assertEquals(Number(sum.value?.value), 1_000, "counted in the daily sums");
  now = T0 + 120_000;
  assertEquals((await b.sweep()).length, 1);
  assertEquals((await a.sweep()).length, 0);
  assertEquals(await keys(kv, OPEN_PREFIX), []);
});

Deno.test("UsageLedger.sweep() leaves this writer's own requests in flight alone", async () => {
  using kv = await Deno.openKv(":memory:");
  const ledger = new UsageLedger({ kv, timers: new FakeTimers(), clock: () => T0 + 3_600_000 });
  ledger.open(interrupted(1), T0);
  await ledger.durable();
  assertEquals((await ledger.sweep()).length, 0);
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await ledger.close();
  assertEquals((await rolledUp(kv, 1))?.outcome, "completed");
});

Deno.test("UsageLedger: an entry dropped while KV fails leaves its open record for the sweep, this instance's too", async () => {
  using real = await Deno.openKv(":memory:");
  let failing = false;
  const kv = interruptibleKv(real, () => failing ? "fail" : "commit");
  let now = T0;
  const logs: string[] = [];
  const ledger = new UsageLedger({
    kv,
    timers: new FakeTimers(),
    clock: () => now,
    maxBuffered: 2,
    log: (r) => logs.push(r.msg),
  });
  ledger.open(interrupted(1, { inputTokens: 500 }), T0 + 60_000);
  await ledger.durable();
  failing = true;
  ledger.append(ledgerEntry({ requestId: id(1) }));
  await ledger.durable().catch(() => {}); // the write fails: the entry stays buffered
  ledger.append(ledgerEntry({ requestId: id(2) }));
  ledger.append(ledgerEntry({ requestId: id(3) })); // over maxBuffered: request 1's entry is dropped
  assertEquals(logs.includes("usage ledger buffer full: entries dropped"), true);
  failing = false;
  now = T0 + 60_000;
  assertEquals(
    (await ledger.sweep()).length,
    1,
    "its open record is all that is left of request 1",
  );
  await ledger.close();
  const entry = (await rolledUp(real, 1))!;
  assertEquals([entry.outcome, entry.inputTokens], ["interrupted", 500]);
  assertEquals(await keys(real, ENTRY_PREFIX), [id(1), id(2), id(3)]);
});

Deno.test("UsageLedger.open() with the request's entry now rewrites its open record as its output grows, until its entry", async () => {
  using kv = await Deno.openKv(":memory:");
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv, timers, openRefreshMs: 15_000 });
  let output = 1;
  const now = () => interrupted(1, { outputTokens: output, estimated: output > 1 });
  ledger.open(now(), T0 + 60_000, now);
  await ledger.durable();
  output = 300;
  timers.advance(15_000);
  await ledger.durable();
  const record = (await kv.get<OpenRecord>(openKey(T0 + 60_000, id(1)))).value!;
  assertEquals([record.entry.outputTokens, record.entry.estimated], [300, true]);
  assertEquals(await keys(kv, OPEN_PREFIX), [id(1)], "the same record, replaced");

  ledger.append(ledgerEntry({ requestId: id(1), outcome: "client_aborted", outputTokens: 320 }));
  await ledger.durable();
  output = 500;
  assertEquals(ledger.refreshOpen(), 0, "an ended request is not written again");
  assertEquals(await keys(kv, OPEN_PREFIX), []);
  await ledger.close();
  assertEquals(timers.pending, 0);
});
