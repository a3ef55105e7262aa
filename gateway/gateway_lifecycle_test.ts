import { assert, assertEquals, assertStringIncludes, assertThrows } from "../testing/assert.ts";
import { FakeTimers } from "../testing/fake_timers.ts";
import {
  MemoryShareExceededError,
  OverloadedError,
  RequestTooLargeError,
  ShuttingDownError,
} from "./errors.ts";
import {
  GatewayLifecycle,
  type MemoryReservation,
  SHED_LOG_INTERVAL_MS,
} from "./gateway_lifecycle.ts";
import { GatewayMetrics } from "./gateway_metrics.ts";
import { estimateCallMemory, largestBodyFor, memoryBudgetFor } from "./memory_budget.ts";

const call = () => ({ abort() {} });

Deno.test("GatewayLifecycle.admit() refuses beyond maxConcurrent with 529, and a release frees the slot", () => {
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 2, timers: new FakeTimers() });
  const releases = [lifecycle.admit(call()), lifecycle.admit(call())];
  const refused = assertThrows(() => lifecycle.admit(call()), OverloadedError, "concurrency limit");
  assertEquals(refused.status, 529);
  releases[0]!();
  releases[0]!(); // idempotent: frees one slot, not two
  lifecycle.admit(call());
  assert(lifecycle.refusal() instanceof OverloadedError);
});

Deno.test("GatewayLifecycle.admit() reserves each call's estimated memory within the budget", () => {
  const metrics = new GatewayMetrics();
  const body = 80_000;
  // Room for three such calls and an empty one, not four such calls.
  const budget = estimateCallMemory(body) * 3 + estimateCallMemory(0);
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 100,
    memoryBudgetBytes: budget,
    timers: new FakeTimers(),
    metrics,
  });
  const releases = [0, 1, 2].map(() => lifecycle.admit(call(), body));
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(body) * 3);
  assertEquals(metrics.value("ccgate_memory_in_flight_bytes"), estimateCallMemory(body) * 3);
  const refused = lifecycle.refusal(body);
  assert(refused instanceof OverloadedError, "the fourth does not fit: 529");
  assertEquals(refused.headers["retry-after"], "1");
  assertThrows(() => lifecycle.admit(call(), body), OverloadedError, "memory budget");
  assertEquals(metrics.value("ccgate_load_shed_total", { reason: "memory" }), 1);
  assertEquals(lifecycle.refusal(0), undefined, "a smaller request still fits");
  assert(lifecycle.refusal(1) instanceof OverloadedError, "by its estimate, not a count");

  releases[1]!();
  releases[1]!();
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(body) * 2, "released once");
  lifecycle.admit(call(), body);
  for (const release of releases) release();
  assertEquals(metrics.value("ccgate_memory_in_flight_bytes"), estimateCallMemory(body));
});

Deno.test("GatewayLifecycle.refusal() answers 413 for a body too large for the whole budget", () => {
  const budget = 16 * 1024 * 1024;
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 100,
    memoryBudgetBytes: budget,
    timers: new FakeTimers(),
  });
  const largest = largestBodyFor(budget);
  assertEquals(lifecycle.refusal(largest), undefined, "the largest that fits is admitted");
  const refused = lifecycle.refusal(largest + 1);
  assert(refused instanceof RequestTooLargeError);
  assertEquals(refused.status, 413);
  assert(refused.message.includes(`at most ${largest} bytes`), refused.message);
});

Deno.test("GatewayLifecycle without a memory budget reserves nothing", () => {
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 1, timers: new FakeTimers() });
  lifecycle.admit(call(), 512 * 1024 * 1024);
  assertEquals(lifecycle.reservedBytes, 0);
});

Deno.test("GatewayLifecycle.refusal() says shutting down once a drain began", async () => {
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 1, timers: new FakeTimers() });
  await lifecycle.drain(0);
  assert(lifecycle.refusal() instanceof ShuttingDownError);
  assertThrows(() => lifecycle.admit(call()), ShuttingDownError);
});

Deno.test("GatewayLifecycle.reserve() holds nothing until assign(); then the estimate, before the body is read", () => {
  const body = 80_000;
  const each = estimateCallMemory(body);
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 100,
    memoryBudgetBytes: each * 2,
    timers: new FakeTimers(),
  });
  // Not yet authenticated: nothing held, however many.
  const opened = [0, 1, 2].map(() => lifecycle.reserve(body));
  assertEquals(lifecycle.reservedBytes, 0);
  // A burst: two fill the budget before either call starts; the third is refused.
  const [first, second, third] = opened as [
    MemoryReservation,
    MemoryReservation,
    MemoryReservation,
  ];
  first.assign("alice");
  second.assign("bob");
  assertEquals(lifecycle.reservedBytes, each * 2);
  assertThrows(() => third.assign("carol"), OverloadedError, "memory budget");
  assertThrows(() => lifecycle.reserve(body), OverloadedError, "memory budget");
  third.release();
  first.grow(body);
  assertEquals(lifecycle.reservedBytes, each * 2, "the body was as declared: nothing more");

  const release = lifecycle.admit(call(), body, first);
  assertEquals(lifecycle.reservedBytes, each * 2, "taken over, not reserved twice");
  first.release(); // the middleware's, after the handler: the call holds it now
  assertEquals(lifecycle.reservedBytes, each * 2);
  second.release();
  second.release();
  assertEquals(lifecycle.reservedBytes, each, "a request that made no call gives its share back");
  release();
  assertEquals(lifecycle.reservedBytes, 0);
});

Deno.test("GatewayLifecycle: an undeclared body grows its reservation once it is in, before its call", () => {
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 100,
    memoryBudgetBytes: estimateCallMemory(100_000),
    timers: new FakeTimers(),
  });
  const undeclared = lifecycle.reserve(0); // no content-length
  undeclared.assign("alice");
  assertThrows(() => undeclared.grow(200_000), RequestTooLargeError, "at most");
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(0), "still the request's to release");
  undeclared.grow(100_000);
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(100_000));
  const release = lifecycle.admit(call(), 100_000, undeclared);
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(100_000), "nothing more at the call");
  undeclared.release();
  release();
  assertEquals(lifecycle.reservedBytes, 0);
});

Deno.test("GatewayLifecycle.admit() with a reservation holds more only for a larger body than declared", () => {
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 100,
    memoryBudgetBytes: estimateCallMemory(100_000),
    timers: new FakeTimers(),
  });
  const undeclared = lifecycle.reserve(0);
  undeclared.assign("alice");
  assertThrows(
    () => lifecycle.admit(call(), 200_000, undeclared),
    RequestTooLargeError,
    "at most",
  );
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(0), "still the request's to release");
  const release = lifecycle.admit(call(), 100_000, undeclared);
  assertEquals(lifecycle.reservedBytes, estimateCallMemory(100_000));
  assertEquals(lifecycle.reservedBy("alice"), estimateCallMemory(100_000));
  undeclared.release();
  release();
  assertEquals(lifecycle.reservedBytes, 0);
});

Deno.test("GatewayLifecycle: one user's requests hold at most their share; 429 for that user only", () => {
  const metrics = new GatewayMetrics();
  const body = 150_000;
  const budget = 10 * 1024 * 1024;
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 100,
    memoryBudgetBytes: budget,
    memoryUserShare: 0.25, // 2.5 MiB: one 150 KB call (1.5 MiB), not two
    timers: new FakeTimers(),
    metrics,
  });
  // As the middleware and readRequestJson do it: a refused request gives its reservation back.
  const request = (user: string, bytes = body) => {
    const r = lifecycle.reserve(bytes);
    try {
      r.assign(user);
      r.grow(bytes);
    } catch (err) {
      r.release();
      throw err;
    }
    return r;
  };
  const alice = request("alice");
  assertEquals(lifecycle.reservedBy("alice"), estimateCallMemory(body));
  const refused = assertThrows(() => request("alice"), MemoryShareExceededError, "at most 3 MiB");
  assertEquals([refused.status, refused.headers["retry-after"]], [429, "1"]);
  assertEquals(metrics.value("ccgate_load_shed_total", { reason: "user_share" }), 1);
  const bob = request("bob");
  assertEquals(lifecycle.reservedBy("bob"), estimateCallMemory(body), "others are not refused");

  // Taken over by the call: still counted against the user until the call ends.
  const end = lifecycle.admit(call(), body, bob);
  bob.release();
  assertThrows(() => request("bob"), MemoryShareExceededError);
  end();
  assertEquals(lifecycle.reservedBy("bob"), 0);
  request("bob").release();

  // Larger than the share on its own: 413 for anyone, though the instance has room.
  const large = largestBodyFor(budget * 0.25) + 1;
  const tooLarge = assertThrows(() => request("carol", large), RequestTooLargeError);
  assertStringIncludes(tooLarge.message, "one user's share");
  assertEquals(lifecycle.refusal(large), undefined, "the instance itself has room for it");

  assertEquals(
    lifecycle.reservedBytes,
    lifecycle.reservedBy("alice"),
    "refused requests gave theirs back",
  );
  alice.release();
  assertEquals(lifecycle.reservedBytes, 0);
});

Deno.test("GatewayLifecycle: a slow upload of a large body holds at most one user's share", () => {
  const budget = memoryBudgetFor(512 * 1024 * 1024);
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 4096,
    memoryBudgetBytes: budget,
    memoryUserShare: 0.5,
    timers: new FakeTimers(),
  });
  // 32 MiB declared would reserve nearly the whole budget: more than her share, so 413 at once.
  const whole = lifecycle.reserve(32 * 1024 * 1024);
  assertThrows(() => whole.assign("mallory"), RequestTooLargeError);
  whole.release();
  // The largest she may declare holds half; everyone else still has the other half.
  const slow = lifecycle.reserve(largestBodyFor(budget * 0.5));
  slow.assign("mallory");
  assert(lifecycle.reservedBytes <= budget / 2);
  const others = Array.from({ length: 90 }, () => {
    const r = lifecycle.reserve(80_000);
    r.assign(crypto.randomUUID());
    return r;
  });
  for (const r of [slow, ...others]) r.release();
  assertEquals(lifecycle.reservedBytes, 0);
});

Deno.test("GatewayLifecycle logs load shedding at most once per interval, with the counts in between", () => {
  const timers = new FakeTimers();
  const logs: Record<string, unknown>[] = [];
  const lifecycle = new GatewayLifecycle({
    maxConcurrent: 1,
    memoryBudgetBytes: estimateCallMemory(0) * 4,
    timers,
    log: (record) => logs.push(record),
  });
  const release = lifecycle.admit(call());
  for (let i = 0; i < 3; i++) assert(lifecycle.refusal() !== undefined);
  assertEquals(logs.length, 0, "refusal() only asks");
  for (let i = 0; i < 3; i++) assertThrows(() => lifecycle.reserve(), OverloadedError);
  assertEquals(logs, [{
    level: "warn",
    msg: "load shed",
    refused: { concurrency: 1 },
    in_flight: 1,
    memory_in_flight_mib: 1,
    memory_budget_mib: 2,
  }]);
  timers.advance(SHED_LOG_INTERVAL_MS);
  release();
  assertThrows(() => lifecycle.reserve(1024 * 1024 * 1024), RequestTooLargeError);
  assertEquals(logs.length, 2);
  assertEquals(logs[1]!.refused, { concurrency: 2, too_large: 1 }, "what the quiet interval held");
});

Deno.test("GatewayLifecycle.announceDrain() marks it stopping while calls are still admitted", async () => {
  const lifecycle = new GatewayLifecycle({ maxConcurrent: 2, timers: new FakeTimers() });
  assertEquals(lifecycle.stopping, false);
  lifecycle.announceDrain();
  assertEquals([lifecycle.stopping, lifecycle.draining], [true, false]);
  assertEquals(lifecycle.refusal(), undefined);
  lifecycle.admit(call())();
  await lifecycle.drain(0);
  assertEquals([lifecycle.stopping, lifecycle.draining], [true, true]);
  assert(lifecycle.refusal() instanceof ShuttingDownError);
});
