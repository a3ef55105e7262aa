import { assertEquals } from "../testing/assert.ts";
import { testClock } from "./_testing.ts";
import { RateLimiter } from "./rate_limiter.ts";

Deno.test("RateLimiter.take() allows the limit, then asks to wait", () => {
  const clock = testClock();
  const limiter = new RateLimiter({ limit: 3, now: clock.now });
  assertEquals([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
  assertEquals(limiter.take("a"), 20);
  assertEquals(limiter.take("b"), 0);
  clock.advance(20_000);
  assertEquals(limiter.take("a"), 0);
});

Deno.test("RateLimiter.take() keeps at most maxKeys buckets", () => {
  const clock = testClock();
  const limiter = new RateLimiter({ limit: 1, now: clock.now, maxKeys: 2 });
  limiter.take("a");
  limiter.take("b");
  limiter.take("c");
  // "a" was evicted, so it starts again with a full bucket.
  assertEquals(limiter.take("a"), 0);
});
