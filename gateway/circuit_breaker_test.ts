import { assert, assertEquals } from "../testing/assert.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";

function breaker(now: { t: number }, maxCircuits?: number) {
  return new CircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 1_000,
    now: () => now.t,
    maxCircuits,
  });
}

Deno.test("CircuitBreaker opens after the threshold of consecutive failures", () => {
  const now = { t: 0 };
  const b = breaker(now);
  b.failure("k");
  b.failure("k");
  assertEquals(b.state("k"), "closed");
  assert(b.tryAcquire("k"));
  b.failure("k");
  assertEquals(b.state("k"), "open");
  assert(!b.tryAcquire("k"));
  assertEquals(b.retryAfterMs("k"), 1_000);
  assert(b.tryAcquire("other"), "circuits are per key");
});

Deno.test("CircuitBreaker counts only consecutive failures", () => {
  const b = breaker({ t: 0 });
  b.failure("k");
  b.failure("k");
  b.success("k");
  b.failure("k");
  b.failure("k");
  assertEquals(b.state("k"), "closed");
});

Deno.test("CircuitBreaker half-opens after the cooldown and lets one probe through", () => {
  const now = { t: 0 };
  const b = breaker(now);
  for (let i = 0; i < 3; i++) b.failure("k");
  now.t = 999;
  assert(!b.tryAcquire("k"));
  now.t = 1_000;
  assertEquals(b.state("k"), "half_open");
  assert(b.tryAcquire("k"), "the probe");
  assert(!b.tryAcquire("k"), "only one probe at a time");
  b.success("k");
  assertEquals(b.state("k"), "closed");
  assert(b.tryAcquire("k"));
});

Deno.test("CircuitBreaker re-opens when the probe fails, and a released probe frees the slot", () => {
  const now = { t: 0 };
  const b = breaker(now);
  for (let i = 0; i < 3; i++) b.failure("k");
  now.t = 1_000;
  assert(b.tryAcquire("k"));
  b.failure("k");
  assertEquals(b.state("k"), "open");
  assertEquals(b.retryAfterMs("k"), 1_000);
  now.t = 2_000;
  assert(b.tryAcquire("k"));
  b.release("k");
  assert(b.tryAcquire("k"), "a released probe can be retried");
});

Deno.test("CircuitBreaker forgets the oldest circuit beyond maxCircuits", () => {
  const b = breaker({ t: 0 }, 2);
  for (const k of ["a", "b", "c"]) for (let i = 0; i < 3; i++) b.failure(k);
  assertEquals([b.state("a"), b.state("b"), b.state("c")], ["closed", "open", "open"]);
});

Deno.test("CircuitBreaker tells when a circuit opens, closes or is forgotten open, not on re-opening", () => {
  const now = { t: 0 };
  const changes: string[] = [];
  const b = new CircuitBreaker({
    failureThreshold: 2,
    cooldownMs: 1_000,
    now: () => now.t,
    maxCircuits: 2,
    changed: (key, change) => changes.push(`${key} ${change}`),
  });
  b.failure("a");
  b.success("a");
  assertEquals(changes, [], "a closed circuit's success changes nothing");
  b.failure("a");
  b.failure("a");
  b.failure("a");
  assertEquals(changes, ["a opened"]);
  now.t = 1_000;
  assert(b.tryAcquire("a"));
  b.failure("a");
  assertEquals(changes, ["a opened"], "a failed probe re-opens without a change");
  now.t = 2_000;
  assert(b.tryAcquire("a"));
  b.success("a");
  assertEquals(changes, ["a opened", "a closed"]);
  for (const k of ["b", "c", "d"]) for (let i = 0; i < 2; i++) b.failure(k);
  assertEquals(changes.slice(2), ["b opened", "c opened", "b forgotten", "d opened"]);
});
