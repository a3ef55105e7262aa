import { assertEquals } from "../../testing/assert.ts";
import { FakeTimers } from "../../testing/fake_timers.ts";
import { CommitPacer } from "./commit_pacer.ts";

/** Lets the microtasks queued so far run (they run before this one's continuation). */
const microtasks = () => Promise.resolve();

Deno.test("CommitPacer.request() runs a microtask later, once however often it is asked in a turn", async () => {
  const timers = new FakeTimers();
  let runs = 0;
  const pacer = new CommitPacer(timers, 0, () => runs++);
  pacer.request(false);
  pacer.request(false);
  assertEquals(runs, 0);
  await microtasks();
  assertEquals(runs, 1);
  pacer.request(false); // still running: left to the run in flight
  await microtasks();
  assertEquals(runs, 1);
  pacer.ended();
  pacer.request(false);
  await microtasks();
  assertEquals(runs, 2);
});

Deno.test("CommitPacer.request() waits for the interval since the last commit started", async () => {
  const timers = new FakeTimers();
  let runs = 0;
  const pacer = new CommitPacer(timers, 100, () => runs++);
  pacer.request(false); // no commit yet: at once
  await microtasks();
  assertEquals(runs, 1);
  pacer.started();
  timers.advance(30);
  pacer.ended();
  pacer.request(false);
  await microtasks();
  assertEquals(runs, 1);
  assertEquals(timers.delays, [70]);
  timers.advance(70);
  assertEquals(runs, 2);
  assertEquals(timers.pending, 0);
});

Deno.test("CommitPacer.request() at once hurries a run that waits for its interval", async () => {
  const timers = new FakeTimers();
  let runs = 0;
  const pacer = new CommitPacer(timers, 100, () => runs++);
  pacer.started();
  pacer.request(false);
  assertEquals(timers.delays, [100]);
  pacer.request(true);
  assertEquals(timers.pending, 0);
  await microtasks();
  assertEquals(runs, 1);
});

Deno.test("CommitPacer.request() at once starts without waiting for the interval", async () => {
  const timers = new FakeTimers();
  let runs = 0;
  const pacer = new CommitPacer(timers, 100, () => runs++);
  pacer.started();
  pacer.request(true);
  assertEquals(timers.pending, 0);
  await microtasks();
  assertEquals(runs, 1);
});
