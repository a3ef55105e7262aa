import { assertEquals, assertRejects } from "../testing/assert.ts";
import { isDatabaseLocked, retryWhenLocked } from "./retry_when_locked.ts";

// A real KV whose next `locked` writes fail as Deno KV fails a write on an SQLite file another
// process is writing: `TypeError: database is locked`, thrown before anything is written. (A real
// lock held through node:sqlite makes Deno KV wait 5 s or, at times, until it is released, which
// here would wait on the retry; processes sharing a file: auth/multi_instance_e2e_test.ts.)
function busyKv(kv: Deno.Kv, locked: { count: number }): Deno.Kv {
  const fail = () => {
    if (locked.count <= 0) return;
    locked.count--;
    throw new TypeError("database is locked");
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        const op = target.atomic();
        const commit = op.commit.bind(op);
        op.commit = () => Promise.resolve().then(fail).then(commit);
        return () => op;
      }
      const value = Reflect.get(target, prop, target);
      if (prop === "set" || prop === "delete") {
        return (...args: unknown[]) =>
          Promise.resolve().then(fail).then(() => value.apply(target, args));
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countingTimers(stepMs = 0) {
  let now = 0;
  const timers = {
    pauses: 0,
    now: () => now,
    setTimeout: (callback: () => void) => {
      timers.pauses++;
      now += stepMs;
      callback();
      return 0;
    },
  };
  return timers;
}

Deno.test("retryWhenLocked() commits an atomic operation again when KV answers 'database is locked', applying it once", async () => {
  using raw = await Deno.openKv(":memory:");
  await raw.set(["n"], 1);
  const locked = { count: 2 };
  const timers = countingTimers();
  const kv = retryWhenLocked(busyKv(raw, locked), { timers });
  const entry = await kv.get<number>(["n"]);
  const result = await kv.atomic().check(entry).set(["n"], 2).sum(["s"], 1n).commit();
  assertEquals(result.ok, true);
  assertEquals(timers.pauses, 2);
  assertEquals((await raw.get(["n"])).value, 2);
  assertEquals((await raw.get<Deno.KvU64>(["s"])).value?.value, 1n);

  locked.count = 1;
  await kv.set(["t"], "x");
  locked.count = 1;
  await kv.delete(["n"]);
  assertEquals(timers.pauses, 4);
  assertEquals([(await raw.get(["t"])).value, (await raw.get(["n"])).value], ["x", null]);
});

Deno.test("retryWhenLocked() throws the lock error once maxWaitMs has passed, and other errors at once", async () => {
  using raw = await Deno.openKv(":memory:");
  const timers = countingTimers(4_000);
  const kv = retryWhenLocked(busyKv(raw, { count: 100 }), { timers, maxWaitMs: 10_000 });
  const err = await assertRejects(() => kv.atomic().set(["k"], 1).commit(), TypeError);
  assertEquals(isDatabaseLocked(err), true);
  assertEquals(timers.pauses, 3, "tried at 0, 4, 8 and 12 s");
  assertEquals((await raw.get(["k"])).value, null);

  const other = countingTimers();
  const plain = retryWhenLocked(raw, { timers: other });
  await plain.set(["k"], "text");
  const sum = await assertRejects(() => plain.atomic().sum(["k"], 1n).commit(), TypeError);
  assertEquals(isDatabaseLocked(sum), false);
  assertEquals(other.pauses, 0);
});
