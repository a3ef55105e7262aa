import { assertEquals } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { repeatEvery } from "./repeat_every.ts";

Deno.test("repeatEvery() arms the next run only when the previous one has settled", async () => {
  const timers = new FakeTimers();
  let finish!: () => void;
  let runs = 0;
  const loop = repeatEvery(timers, 1_000, () => {
    runs++;
    return new Promise<void>((resolve) => (finish = resolve));
  });
  timers.advance(1_000);
  assertEquals(runs, 1);
  assertEquals(timers.pending, 0, "nothing armed while the run is in progress");
  finish();
  await timers.whenPending(1_000);
  timers.advance(1_000);
  assertEquals(runs, 2);
  loop[Symbol.dispose]();
  finish();
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(timers.pending, 0, "disposed: the run in progress arms nothing after it");
});

Deno.test("repeatEvery() goes on after a failed run", async () => {
  const timers = new FakeTimers();
  let runs = 0;
  using _loop = repeatEvery(timers, 500, () => {
    runs++;
    return Promise.reject(new Error("KV down"));
  });
  timers.advance(500);
  await timers.whenPending(500);
  timers.advance(500);
  assertEquals(runs, 2);
});
