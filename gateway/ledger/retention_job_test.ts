import { assert, assertEquals } from "../../testing/assert.ts";
import type { LogRecord } from "../log.ts";
import { cronBeforeListen } from "../cron_before_listen.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import { RETENTION_CRON_NAME, RETENTION_CRON_SCHEDULE } from "./retention_cron.ts";
import { runRetentionJob } from "./retention_job.ts";
import { rollUpEntry, WAL_PREFIX } from "./roll_up_entry.ts";

const NOW = new Date("2026-11-30T00:05:00.000Z");
const SETTINGS = { ledgerDays: 400, usageDays: 0, auditDays: 400 };

Deno.test("runRetentionJob() logs one info line with the counts", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(["audit", "2020-01-01T00:00:00.000Z", "000000000000", "r1"], { at: "x" });
  const lines: LogRecord[] = [];
  await runRetentionJob({ kv, now: () => NOW, log: (r) => lines.push(r), settings: SETTINGS });
  assertEquals(lines.length, 1);
  assertEquals(lines[0]!.level, "info");
  assertEquals(lines[0]!.msg, "retention run");
  assertEquals([lines[0]!.audit, lines[0]!.ledgerEntries, lines[0]!.complete], [1, 0, true]);
});

Deno.test("runRetentionJob() logs one warn line without a stack when KV fails", async () => {
  const kv = await Deno.openKv(":memory:");
  kv.close();
  const lines: LogRecord[] = [];
  await runRetentionJob({ kv, now: () => NOW, log: (r) => lines.push(r), settings: SETTINGS });
  assertEquals(lines.length, 1);
  assertEquals([lines[0]!.level, lines[0]!.msg], ["warn", "retention run failed"]);
  assert(typeof lines[0]!.error === "string" && !String(lines[0]!.error).includes("\n    at "));
});

Deno.test("runRetentionJob() runs from a cron registered before KV is open, as the entry points wire it", async () => {
  const handlers: (() => Promise<void>)[] = [];
  const cron = (_name: string, _schedule: string, handler: () => Promise<void>) => {
    handlers.push(handler);
    return new Promise<void>(() => {});
  };
  const job = cronBeforeListen(
    cron,
    RETENTION_CRON_NAME,
    RETENTION_CRON_SCHEDULE,
    (run: () => Promise<void>) => run(),
  );
  using kv = await Deno.openKv(":memory:");
  await kv.set(["usage", "2020-01-01", "user", "u", "m", "requests"], new Deno.KvU64(1n));
  const lines: LogRecord[] = [];
  const settings = { ...SETTINGS, usageDays: 30 };
  job.ready(() => runRetentionJob({ kv, now: () => NOW, log: (r) => lines.push(r), settings }));
  await handlers[0]!();
  assertEquals((await kv.get(["usage", "2020-01-01", "user", "u", "m", "requests"])).value, null);
  assertEquals(lines.map((l) => [l.msg, l.usage]), [["retention run", 1]]);
});

/** How many times a day a `"<minute> <hour> * * *"` schedule fires. */
function runsPerDay(schedule: string): number {
  const [minute, hour, ...rest] = schedule.split(" ");
  assertEquals(rest, ["*", "*", "*"]);
  const count = (field: string, all: number) => field === "*" ? all : field.split(",").length;
  return count(minute!, 60) * count(hour!, 24);
}

Deno.test("the retention cron's runs of one day delete a day of entries several times what one run may delete", async () => {
  using kv = await Deno.openKv(":memory:");
  // One run deletes at most 5 operations of 10 keys here (500 of 1,000 by default): 50 keys,
  // 25 entries with their user index keys. The due day holds 10 times that.
  const options = { maxBatches: 5, maxMutations: 10 };
  for (let i = 0; i < 250; i++) {
    const requestId = `req_${String(i).padStart(24, "0")}`;
    await kv.set([...WAL_PREFIX, requestId], ledgerEntry({ requestId, day: "2026-10-01" }));
    assertEquals(await rollUpEntry(kv, requestId), "rolled_up");
  }
  const settings = { ledgerDays: 30, usageDays: 0, auditDays: 0 };
  const lines: LogRecord[] = [];
  for (let run = 0; run < runsPerDay(RETENTION_CRON_SCHEDULE); run++) {
    await runRetentionJob({ kv, now: () => NOW, log: (r) => lines.push(r), settings, options });
  }
  assertEquals(lines.reduce((n, l) => n + Number(l.ledgerEntries), 0), 250);
  assertEquals(lines.at(-1)!.complete, true);
  assertEquals(await Array.fromAsync(kv.list({ prefix: ["ledger", "entry"] })), []);
});
