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

Deno.test("RateLimiter.take() reports a key's first refusal once per episode and counts every refusal", () => {
  const clock = testClock();
  const limited: [string, number][] = [];
  const limiter = new RateLimiter({
    limit: 1,
    now: clock.now,
    onLimited: (key, wait) => limited.push([key, wait]),
  });
  limiter.take("a");
  limiter.take("a");
  limiter.take("a");
  limiter.take("b");
  limiter.take("b");
  assertEquals(limited, [["a", 60], ["b", 60]]);
  assertEquals(limiter.refused, 3);
  clock.advance(60_000);
  limiter.take("a");
  limiter.take("a");
  assertEquals(limited, [["a", 60], ["b", 60], ["a", 60]], "a new episode after an allowed take");
  assertEquals(limiter.refused, 4);
});
