import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { ShuttingDownError } from "./errors.ts";
import { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { gracefulShutdown } from "./graceful_shutdown.ts";
import type { LogRecord } from "./log.ts";
import { lifecycleReadiness } from "./readiness_checks.ts";

function setUp(delayMs: number) {
  const timers = new FakeTimers();
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 4, timers });
  const logged: LogRecord[] = [];
  const events: string[] = [];
  let listenerClosed!: () => void;
  let stopCalled!: () => void;
  const stopListeningCalled = new Promise<void>((resolve) => stopCalled = resolve);
  const shutdown = gracefulShutdown({
    lifecycle,
    timers,
    delayMs,
    deadlineMs: 10_000,
    stopListening: () => {
      events.push("stop listening");
      stopCalled();
      return new Promise((resolve) => listenerClosed = resolve);
    },
    log: (record) => logged.push(record),
    cleanup: (report) => {
      events.push(`cleanup ${JSON.stringify(report)}`);
    },
  });
  return {
    timers,
    lifecycle,
    logged,
    events,
    shutdown,
    stopListeningCalled,
    closeListener: () => listenerClosed(),
    readiness: lifecycleReadiness(lifecycle),
  };
}

Deno.test("gracefulShutdown() turns /readyz 503 at once and keeps serving until the delay is over", async () => {
  const t = setUp(5_000);
  const done = t.shutdown();
  await assertRejects(() => t.readiness.check(), Error, "draining");
  // Still serving: calls are admitted and the listener is open.
  const release = t.lifecycle.admit({ abort() {} });
  assertEquals(t.lifecycle.refusal(), undefined);
  assertEquals(t.events, []);
  await t.timers.whenPending(5_000);
  t.timers.advance(4_999);
  await Promise.resolve();
  assertEquals(t.events, []);
  t.timers.advance(1);
  await t.stopListeningCalled;
  assert(t.lifecycle.refusal() instanceof ShuttingDownError);
  release(); // the call in flight finishes within the deadline
  t.closeListener();
  await done;
  assertEquals(t.events, [
    "stop listening",
    `cleanup ${JSON.stringify({ finished: 1, ended: 0, hookFailures: 0 })}`,
  ]);
  assertEquals(t.logged.map((r) => r.msg), [
    "draining: /readyz answers 503, still serving",
    "drained",
  ]);
});

Deno.test("gracefulShutdown() with no delay stops listening at once, as before", () => {
  const t = setUp(0);
  void t.shutdown();
  assertEquals(t.events, ["stop listening"]);
  assertEquals(t.timers.pending, 0);
  t.closeListener();
});

Deno.test("gracefulShutdown() runs once however many signals arrive", async () => {
  const t = setUp(0);
  const first = t.shutdown();
  const second = t.shutdown();
  assertEquals(first, second);
  t.closeListener();
  await Promise.all([first, second, t.shutdown()]);
  assertEquals(t.events.length, 2, t.events.join());
  assertEquals(t.logged.filter((r) => r.msg === "drained").length, 1);
});
