import { assertEquals, assertThrows } from "../testing/assert.ts";
import { MemoryShareExceededError, OverloadedError, RequestTooLargeError } from "./errors.ts";
import { loadGatewayConfig } from "./config.ts";
import { estimateCallMemory, largestBodyFor, memoryBudgetFor } from "./memory_budget.ts";
import { MemoryPool, type MemoryRefusal } from "./memory_pool.ts";

Deno.test("MemoryPool counts each user's reservations until they are released, once", () => {
  const moved: number[] = [];
  const pool = new MemoryPool({
    budgetBytes: 64 * 1024 * 1024,
    userShare: 0.5,
    moved: (bytes) => moved.push(bytes),
  });
  const a = pool.reserve(80_000);
  const b = pool.reserve(0);
  a.assign("alice");
  b.assign("alice");
  b.assign("bob"); // a reservation has one owner: a second assign does nothing
  b.grow(100_000);
  assertEquals(pool.heldBy("alice"), estimateCallMemory(80_000) + estimateCallMemory(100_000));
  assertEquals(pool.heldBy("bob"), 0);
  a.release();
  a.release();
  assertEquals(pool.heldBy("alice"), estimateCallMemory(100_000));
  b.release();
  assertEquals([pool.heldBy("alice"), pool.reservedBytes], [0, 0]);
  assertEquals(moved.at(-1), 0);
});

Deno.test("MemoryPool refuses by the budget (529), the request's size (413) and the user's share (429)", () => {
  const budget = 16 * 1024 * 1024;
  const refusals: MemoryRefusal[] = [];
  const pool = new MemoryPool({
    budgetBytes: budget,
    userShare: 0.5,
    refused: (refusal) => (refusals.push(refusal), refusal.error),
  });
  assertThrows(() => pool.reserve(largestBodyFor(budget) + 1), RequestTooLargeError);
  const alone = pool.reserve(largestBodyFor(budget / 2) + 1);
  assertThrows(() => alone.assign("alice"), RequestTooLargeError, "one user's share");
  alone.release();
  const first = pool.reserve(700_000);
  first.assign("alice");
  const second = pool.reserve(700_000);
  assertThrows(() => second.assign("alice"), MemoryShareExceededError);
  second.assign("bob");
  const third = pool.reserve(700_000);
  third.assign("carol");
  assertThrows(() => pool.reserve(700_000), OverloadedError, "memory budget");
  assertEquals(refusals.map((r) => r.reason), ["too_large", "too_large", "user_share", "memory"]);
  for (const r of [first, second, third]) r.release();
  assertEquals(pool.reservedBytes, 0);
});

Deno.test("MemoryPool: at the default share, one user's request of Bedrock's largest payload (20 MB) fits in 512 MiB", () => {
  const { memoryUserShare } = loadGatewayConfig({ AWS_REGION: "us-east-1" }).limits;
  const pool = new MemoryPool({
    budgetBytes: memoryBudgetFor(512 * 1024 * 1024),
    userShare: memoryUserShare,
  });
  const largest = pool.reserve(20_000_000);
  largest.assign("alice");
  largest.release();
  const larger = pool.reserve(30_000_000);
  assertThrows(() => larger.assign("alice"), RequestTooLargeError, "one user's share");
});
