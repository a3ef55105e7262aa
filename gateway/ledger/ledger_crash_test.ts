import { assert, assertEquals } from "../../testing/assert.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { ENTRY_PREFIX, OPEN_PREFIX, USAGE_PREFIX, WAL_PREFIX } from "./roll_up_entry.ts";
import { UsageLedger } from "./usage_ledger.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";

const CHILD = new URL("../../testing/ledger_writer_child.ts", import.meta.url).pathname;

/**
 * Runs the writer child on the KV file `path` and kills it (SIGKILL) where it stands once it has
 * printed `marker`.
 */
async function killWriterAt(path: string, count: number, mode: string, marker: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", CHILD, path, String(count), mode],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The writer ended before printing ${marker}: ${seen}`);
    seen += value;
  }
  child.kill("SIGKILL");
  assertEquals((await child.status).signal, "SIGKILL");
  await reader.cancel();
}

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("UsageLedger: a writer process killed (SIGKILL) mid-batch, restarted, loses nothing and duplicates nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/kv.sqlite3`;
    const N = 130;
    // Roll-ups go in chunks of 50: kill the child inside the second one (commit 2).
    await killWriterAt(path, N, "2", "committing");

    using kv = await Deno.openKv(path);
    const before = await count(kv, ENTRY_PREFIX);
    // The chunk in flight at the kill may or may not have landed, and lands whole if it did.
    assert(before === 50 || before === 100, `rolled up before the crash: ${before}`);
    assertEquals(await count(kv, WAL_PREFIX), N - before);

    const restarted = new UsageLedger({ kv, timers: new FakeTimers() });
    const report = await restarted.recover();
    assertEquals(report.rolledUp, N - before);
    await restarted.close();

    assertEquals(await count(kv, ENTRY_PREFIX), N);
    assertEquals(await count(kv, WAL_PREFIX), 0);
    const e = ledgerEntry();
    const sum = async (metric: string) =>
      Number(
        (await kv.get<Deno.KvU64>([
          ...USAGE_PREFIX,
          e.day,
          "user",
          e.user,
          e.bedrockModel!,
          metric,
        ]))
          .value?.value ?? 0n,
      );
    let input = 0;
    let output = 0;
    for (let i = 0; i < N; i++) {
      input += i;
      output += 3 * i + 1;
    }
    assertEquals(await sum("requests"), N);
    assertEquals(await sum("input_tokens"), input);
    assertEquals(await sum("output_tokens"), output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UsageLedger: a writer process killed (SIGKILL) between two flushes has every finished entry in the log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/kv.sqlite3`;
    const N = 20;
    await killWriterAt(path, N, "never-flushed", "durable");

    using kv = await Deno.openKv(path);
    assertEquals(await count(kv, WAL_PREFIX), N, "no flush ran, yet every entry is in the log");
    const restarted = new UsageLedger({ kv, timers: new FakeTimers() });
    assertEquals((await restarted.recover()).rolledUp, N);
    assertEquals(await count(kv, ENTRY_PREFIX), N);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UsageLedger: a gateway killed (SIGKILL) with streams open leaves open records that another instance rolls up as interrupted, once, with their output until the last refresh", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/kv.sqlite3`;
    await killWriterAt(path, 6, "streams-open", "durable");
    using kv = await Deno.openKv(path);
    assertEquals(await count(kv, OPEN_PREFIX), 3, "the three streams that had not ended");
    assertEquals(await count(kv, WAL_PREFIX), 3);

    let now = Date.parse("2026-11-30T10:59:59Z");
    const next = new UsageLedger({ kv, timers: new FakeTimers(), clock: () => now });
    await next.recover();
    assertEquals((await next.sweep()).length, 0, "they could still be running elsewhere");
    now = Date.parse("2026-11-30T11:00:00Z");
    assertEquals((await next.sweep()).length, 3);
    assertEquals((await next.sweep()).length, 0);
    assertEquals(await count(kv, OPEN_PREFIX), 0);
    const entries: LedgerEntry[] = [];
    for await (const e of kv.list<LedgerEntry>({ prefix: ENTRY_PREFIX })) entries.push(e.value);
    assertEquals(entries.length, 6);
    assertEquals(
      entries.map((e) => [e.outcome, e.inputTokens, e.outputTokens]),
      [0, 1, 2, 3, 4, 5].map((i) =>
        i % 2 === 0 ? ["interrupted", 1000 + i, 100 + i] : ["completed", 7, 20]
      ),
    );
    await next.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
