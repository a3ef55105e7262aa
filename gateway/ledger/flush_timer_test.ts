import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { FlushTimer } from "./flush_timer.ts";

Deno.test("FlushTimer.arm() runs one flush after the interval, however often it is armed meanwhile", () => {
  const timers = new FakeTimers();
  let flushes = 0;
  const timer = new FlushTimer(timers, 1_000, () => flushes++);
  timer.arm();
  timers.advance(400);
  timer.arm(); // already armed: the flush stays 600 ms away
  assertEquals(timers.delays, [600]);
  timers.advance(600);
  assertEquals(flushes, 1);
  assertEquals(timers.pending, 0);
  timer.arm(); // fired: armed again
  timers.advance(1_000);
  assertEquals(flushes, 2);
});

Deno.test("FlushTimer.clear() cancels the flush, and the timer can be armed again", () => {
  const timers = new FakeTimers();
  let flushes = 0;
  const timer = new FlushTimer(timers, 1_000, () => flushes++);
  timer.clear(); // not armed: nothing to do
  timer.arm();
  timer.clear();
  assertEquals(timers.pending, 0);
  timers.advance(2_000);
  assertEquals(flushes, 0);
  timer.arm();
  timers.advance(1_000);
  assertEquals(flushes, 1);
});
