import { assertEquals } from "../../testing/assert.ts";
import { slidingCount, slidingRetryAfter } from "./sliding_minute.ts";

Deno.test("slidingCount() weighs the previous minute by the share the sliding minute still covers", () => {
  assertEquals(slidingCount({ previous: 60, current: 0, elapsedMs: 0 }), 60);
  assertEquals(slidingCount({ previous: 60, current: 0, elapsedMs: 30_000 }), 30);
  assertEquals(slidingCount({ previous: 60, current: 10, elapsedMs: 45_000 }), 25);
  assertEquals(slidingCount({ previous: 60, current: 5, elapsedMs: 59_999 }), 6, "rounded up");
  assertEquals(slidingCount({ previous: 0, current: 7, elapsedMs: 12_345 }), 7);
});

Deno.test("slidingCount() does not round a whole count up by floating-point error", () => {
  assertEquals(slidingCount({ previous: 3, current: 0, elapsedMs: 40_000 }), 1);
  assertEquals(slidingCount({ previous: 3, current: 2, elapsedMs: 20_000 }), 4);
});

Deno.test("slidingRetryAfter() waits within the minute while the previous minute's share slides out", () => {
  // Limit 10: 20 last minute, 2 this one, 15 s in: 15 + 2 = 17. Room for 9: 20 × w ≤ 7 at 39 s.
  const counts = { previous: 20, current: 2, elapsedMs: 15_000 };
  assertEquals(slidingCount(counts), 17);
  assertEquals(slidingRetryAfter(counts, 10), 24);
  assertEquals(
    slidingCount({ ...counts, elapsedMs: 39_000 }) + 1 <= 10,
    true,
    "fits after the wait",
  );
  assertEquals(
    slidingCount({ ...counts, elapsedMs: 38_000 }) + 1 <= 10,
    false,
    "not a second early",
  );
});

Deno.test("slidingRetryAfter() waits into the next minute when this minute is full on its own", () => {
  // Limit 3, all used 45 s in: 15 s to the next minute, then 20 s until 3 × w ≤ 2.
  assertEquals(slidingRetryAfter({ previous: 0, current: 3, elapsedMs: 45_000 }, 3), 35);
  // Limit 2 used 20 s in: 40 s, then half the next minute.
  assertEquals(slidingRetryAfter({ previous: 0, current: 2, elapsedMs: 20_000 }, 2), 70);
  // Limit 1: a whole minute after the next one begins.
  assertEquals(slidingRetryAfter({ previous: 5, current: 1, elapsedMs: 50_000 }, 1), 70);
});

Deno.test("slidingRetryAfter() is at least one second", () => {
  assertEquals(slidingRetryAfter({ previous: 10, current: 0, elapsedMs: 59_999 }, 1), 1);
  assertEquals(slidingRetryAfter({ previous: 0, current: 0, elapsedMs: 0 }, 1), 1);
});

Deno.test("slidingRetryAfter() waits until amount more tokens fit when given one", () => {
  // 10,000 tokens a minute: 8,000 last minute, 2,000 this one, 30 s in: 6,000 counted.
  // A request of 6,000 needs the count at 4,000: 8,000 × w ≤ 2,000 at 45 s.
  const counts = { previous: 8_000, current: 2_000, elapsedMs: 30_000 };
  assertEquals(slidingCount(counts), 6_000);
  assertEquals(slidingRetryAfter(counts, 10_000, 6_000), 15);
  assertEquals(slidingCount({ ...counts, elapsedMs: 45_000 }) + 6_000 <= 10_000, true);
  assertEquals(slidingCount({ ...counts, elapsedMs: 44_000 }) + 6_000 <= 10_000, false);
  // This minute's 9,000 alone leave no room for 2,000: into the next minute, until 9,000 × w ≤ 8,000.
  assertEquals(
    slidingRetryAfter({ previous: 0, current: 9_000, elapsedMs: 50_000 }, 10_000, 2_000),
    17,
  );
});
