import { assertEquals } from "../testing/assert.ts";
import type { LogRecord } from "./log.ts";
import { SampledLog } from "./sampled_log.ts";

Deno.test("SampledLog.write() keeps at most perInterval lines per key and interval, then says how many it dropped", () => {
  let now = 0;
  const lines: LogRecord[] = [];
  const log = new SampledLog((r) => lines.push(r), {
    perInterval: 2,
    intervalMs: 1_000,
    now: () => now,
  });
  const line = (i: number): LogRecord => ({ level: "warn", msg: "refused", i });
  const written = [];
  for (let i = 0; i < 5; i++) written.push(log.write("a", line(i)));
  assertEquals(written, [true, true, false, false, false]);
  assertEquals(log.write("b", line(5)), true, "per key");
  now = 999;
  assertEquals(log.write("a", line(6)), false);
  now = 1_000;
  log.write("a", line(7));
  log.write("a", line(8));
  assertEquals(lines.map((r) => [r.i, r.suppressed]), [
    [0, undefined],
    [1, undefined],
    [5, undefined],
    [7, 4],
    [8, undefined],
  ]);
});
