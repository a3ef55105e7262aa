import { assert, assertEquals } from "../../testing/assert.ts";
import type { LogRecord } from "../log.ts";
import { cronBeforeListen } from "../cron_before_listen.ts";
import { runRetentionJob } from "./retention_job.ts";

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
    "ccgate data retention",
    "17 3 * * *",
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
