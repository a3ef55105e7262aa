import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
import type { LedgerEntry } from "./ledger_entry.ts";
import { LiveOpenRecords } from "./live_open_records.ts";

const id = (i: number) => `req_${String(i).padStart(24, "0")}`;
const UNTIL = Date.parse("2026-11-30T11:00:00Z");

function setUp() {
  const timers = new FakeTimers();
  const written: [string, number, number][] = [];
  const live = new LiveOpenRecords(timers, 15_000, (entry, until) => {
    written.push([entry.requestId, entry.outputTokens, until]);
  });
  const output = new Map<number, number>();
  const track = (i: number, written = true) => {
    output.set(i, 1);
    const now = (): LedgerEntry =>
      ledgerEntry({ requestId: id(i), outcome: "interrupted", outputTokens: output.get(i)! });
    live.track(id(i), UNTIL, now, written ? now() : undefined);
  };
  return { timers, written, live, output, track };
}

Deno.test("LiveOpenRecords writes a tracked request again every interval while its output grows", () => {
  const { timers, written, output, track } = setUp();
  track(1);
  track(2);
  assertEquals(timers.delays, [15_000], "one timer for all");
  output.set(1, 40);
  timers.advance(15_000);
  assertEquals(written, [[id(1), 40, UNTIL]], "request 2 sent nothing since");
  output.set(1, 90);
  output.set(2, 5);
  timers.advance(15_000);
  assertEquals(written.slice(1), [[id(1), 90, UNTIL], [id(2), 5, UNTIL]]);
  timers.advance(15_000);
  assertEquals(written.length, 3, "no growth, no write");
});

Deno.test("LiveOpenRecords stops writing a request once it ended, and its timer once none is left", () => {
  const { timers, written, live, output, track } = setUp();
  track(1);
  live.ended(id(1));
  output.set(1, 40);
  timers.advance(15_000);
  assertEquals(written, []);
  assertEquals([live.size, timers.pending], [0, 0], "no timer while nothing is tracked");
  track(2);
  assertEquals(timers.pending, 1);
});

Deno.test("LiveOpenRecords.close() clears its timer and tracks nothing more", () => {
  const { timers, written, live, output, track } = setUp();
  track(1);
  live.close();
  assertEquals(timers.pending, 0);
  track(2);
  output.set(2, 40);
  timers.advance(15_000);
  assertEquals([written, live.size, timers.pending], [[], 0, 0]);
});

Deno.test("LiveOpenRecords writes a request tracked without a record at the first refresh it still runs at", () => {
  const { timers, written, live, output, track } = setUp();
  track(1, false);
  track(2, false);
  live.ended(id(2)); // a short call: never written
  timers.advance(15_000);
  assertEquals(written, [[id(1), 1, UNTIL]]);
  timers.advance(15_000);
  assertEquals(written.length, 1, "then only when its output grows");
  output.set(1, 7);
  timers.advance(15_000);
  assertEquals(written.slice(1), [[id(1), 7, UNTIL]]);
});
