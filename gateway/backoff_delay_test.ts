import { assertEquals } from "../testing/assert.ts";
import { backoffDelay } from "./backoff_delay.ts";

Deno.test("backoffDelay() doubles the ceiling per retry up to the cap", () => {
  const top = { baseMs: 100, maxMs: 1_000, random: () => 0.999999 };
  assertEquals([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, top)), [99, 199, 399, 799, 999, 999]);
});

Deno.test("backoffDelay() draws the whole range from zero (full jitter)", () => {
  assertEquals(backoffDelay(3, { baseMs: 100, maxMs: 1_000, random: () => 0 }), 0);
  assertEquals(backoffDelay(3, { baseMs: 100, maxMs: 1_000, random: () => 0.25 }), 100);
  assertEquals(backoffDelay(1, { baseMs: 0, maxMs: 1_000, random: () => 0.9 }), 0);
});
