import { Hono } from "hono";
import { assertEquals, assertRejects } from "../testing/assert.ts";
import { countingKv } from "../testing/counting_kv.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { cachedReadiness, kvReadiness, lifecycleReadiness } from "./readiness_checks.ts";
import { type ReadinessCheck, readyzRoute } from "./readyz_route.ts";

/** A check whose runs are counted and settled by the test. */
function controlledCheck() {
  const runs: { resolve: (detail: string) => void; reject: (err: Error) => void }[] = [];
  const check: ReadinessCheck = {
    name: "bedrock",
    check: () => new Promise((resolve, reject) => runs.push({ resolve, reject })),
  };
  return { check, runs };
}

Deno.test("cachedReadiness() runs the check at most once per ttlMs, concurrent callers sharing the run", async () => {
  const timers = new FakeTimers();
  const { check, runs } = controlledCheck();
  const cached = cachedReadiness(check, { ttlMs: 2_000, now: () => timers.now() });
  assertEquals(cached.name, "bedrock");
  const first = [cached.check(), cached.check(), cached.check()];
  assertEquals(runs.length, 1);
  runs[0]!.resolve("reachable");
  assertEquals(await Promise.all(first), ["reachable", "reachable", "reachable"]);
  timers.advance(1_999);
  assertEquals(await cached.check(), "reachable");
  assertEquals(runs.length, 1);
  timers.advance(1);
  const second = cached.check();
  assertEquals(runs.length, 2);
  runs[1]!.resolve("reachable again");
  assertEquals(await second, "reachable again");
});

Deno.test("cachedReadiness() reuses a failure for ttlMs too", async () => {
  const timers = new FakeTimers();
  const { check, runs } = controlledCheck();
  const cached = cachedReadiness(check, { ttlMs: 2_000, now: () => timers.now() });
  const failed = cached.check();
  runs[0]!.reject(new Error("No Bedrock region reachable"));
  await assertRejects(() => failed, Error, "No Bedrock region reachable");
  await assertRejects(() => cached.check(), Error, "No Bedrock region reachable");
  assertEquals(runs.length, 1);
  timers.advance(2_000);
  const next = cached.check();
  runs[1]!.resolve("reachable");
  assertEquals(await next, "reachable");
});

Deno.test("lifecycleReadiness() fails with draining as soon as the drain is announced", async () => {
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 4, timers: new FakeTimers() });
  const check = lifecycleReadiness(lifecycle);
  const release = lifecycle.admit({ abort() {} });
  assertEquals(await check.check(), "accepting (1 in flight)");
  lifecycle.announceDrain();
  await assertRejects(() => check.check(), Error, "draining: shutting down");
  release();
});

Deno.test("kvReadiness() reads KV once per ttlMs however often /readyz is called", async () => {
  using raw = await Deno.openKv(":memory:");
  const { kv, reads } = countingKv(raw);
  const timers = new FakeTimers();
  const app = new Hono().get(
    "/readyz",
    readyzRoute([kvReadiness(kv, { ttlMs: 2_000, now: () => timers.now() })]),
  );
  const readyz = async () => {
    const response = await app.request("/readyz");
    assertEquals(response.status, 200);
    return (await response.json()).checks;
  };
  for (let i = 0; i < 25; i++) {
    assertEquals(await readyz(), [{ name: "kv", ok: true, detail: "reachable" }]);
  }
  assertEquals(reads.gets, 1);
  timers.advance(2_000);
  for (let i = 0; i < 25; i++) await readyz();
  assertEquals(reads.gets, 2);
});
