/**
 * A usage ledger writer in its own process, for the crash tests: it writes
 * `count` entries to the KV file `path` in one batch and, at roll-up commit
 * number `stopAt`, starts that commit, prints `committing` and lets no later
 * commit through — for the parent to kill it with SIGKILL mid-batch (with
 * the writer's concurrent roll-ups, several may be in flight then). With
 * `stopAt` `never-flushed`, it appends the entries one request at a time,
 * waits until they are durable, prints `durable` and waits without ever
 * flushing (its timers never fire): a gateway killed between two flushes.
 * With `streams-open`, it opens `count` requests (`UsageLedger.open`, until
 * 2026-11-30T11:00Z), ends the odd ones, lets the others stream 100 output
 * tokens each (request i) and the open records' refresh run, waits until
 * all is durable, prints `durable` and waits: a gateway killed with streams
 * open.
 *
 * `deno run --allow-all testing/ledger_writer_child.ts <kv path> <count> <stopAt | never-flushed | streams-open>`
 *
 * @module
 */
import { UsageLedger } from "../gateway/ledger/usage_ledger.ts";
import { FakeTimers } from "./fake_timers.ts";
import { kvWithAtomic, ledgerEntry } from "./ledger_fixtures.ts";

const [path, countArg, stopArg] = Deno.args;

/**
 * Keeps the process running until the parent kills it: once nothing is left
 * pending (the last commit in flight landed), Deno would otherwise end it on
 * its own ("Top-level await promise never resolved"), racing the kill.
 */
function _stayAlive(): void {
  setInterval(() => {}, 1_000_000_000);
}
const count = Number(countArg);
const stopAt = Number(stopArg);
const real = await Deno.openKv(path);
let n = 0;
const kv = kvWithAtomic(real, (op) => {
  const commit = op.commit.bind(op);
  op.commit = () => {
    // Commit 0 is the write-ahead batch; commit k (k >= 1) is the k-th roll-up (a chunk of entries).
    const k = n++;
    if (k < stopAt) return commit();
    if (k === stopAt) {
      // This one is in flight when the process dies: it may or may not land.
      commit().catch(() => {});
      _stayAlive();
      Deno.stdout.writeSync(new TextEncoder().encode("committing\n"));
    }
    return new Promise<never>(() => {});
  };
  return op;
});
if (stopArg === "never-flushed") {
  const ledger = new UsageLedger({ kv: real, timers: new FakeTimers() });
  for (let i = 0; i < count; i++) {
    ledger.append(ledgerEntry({ requestId: `req_${String(i).padStart(24, "0")}` }));
    // Requests end one at a time: let this entry's write start before the next one's.
    await Promise.resolve();
  }
  await ledger.durable();
  _stayAlive();
  Deno.stdout.writeSync(new TextEncoder().encode("durable\n"));
  await new Promise<never>(() => {});
}
if (stopArg === "streams-open") {
  const timers = new FakeTimers();
  const ledger = new UsageLedger({ kv: real, timers, openRefreshMs: 15_000 });
  const id = (i: number) => `req_${String(i).padStart(24, "0")}`;
  const output: number[] = [];
  for (let i = 0; i < count; i++) {
    output[i] = 1;
    const now = () =>
      ledgerEntry({
        requestId: id(i),
        outcome: "interrupted",
        inputTokens: 1000 + i,
        outputTokens: output[i]!,
      });
    ledger.open(now(), Date.parse("2026-11-30T11:00:00Z"), now);
    await ledger.durable();
  }
  for (let i = 1; i < count; i += 2) {
    ledger.append(ledgerEntry({ requestId: id(i), inputTokens: 7 }));
  }
  for (let i = 0; i < count; i += 2) output[i] = 100 + i;
  timers.advance(15_000);
  await ledger.durable();
  _stayAlive();
  Deno.stdout.writeSync(new TextEncoder().encode("durable\n"));
  await new Promise<never>(() => {});
}
const ledger = new UsageLedger({ kv, timers: new FakeTimers(), maxBatch: 10_000 });
for (let i = 0; i < count; i++) {
  ledger.append(ledgerEntry({
    requestId: `req_${String(i).padStart(24, "0")}`,
    inputTokens: i,
    outputTokens: 3 * i + 1,
  }));
}
await ledger.flush();
