import { assertEquals, assertThrows } from "../testing/assert.ts";
import { quantile, summarize, summarizeRounds } from "./percentiles.ts";

Deno.test("quantile() takes the nearest rank: the smallest value with q of the sample at or below", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assertEquals(quantile(sorted, 0.5), 50);
  assertEquals(quantile(sorted, 0.99), 99);
  assertEquals(quantile(sorted, 1), 100);
  assertEquals(quantile(sorted, 0), 1);
  assertEquals(quantile([7], 0.99), 7);
  assertEquals(quantile([1, 2, 3], 0.5), 2);
});

Deno.test("quantile() refuses an empty sample and a q outside [0, 1]", () => {
  assertThrows(() => quantile([], 0.5), RangeError);
  assertThrows(() => quantile([1], 1.5), RangeError);
  assertThrows(() => quantile([1], Number.NaN), RangeError);
});

Deno.test("summarize() sorts a copy and reports count, median, p90, p99, max and mean", () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  const s = summarize(values);
  assertEquals(s, { n: 10, min: 1, median: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
  assertEquals(values[0], 5);
});

Deno.test("summarizeRounds() takes the middle round, or the mean of the two middle rounds", () => {
  assertEquals(summarizeRounds([3, 1, 2]), { median: 2, min: 1, max: 3, rounds: [3, 1, 2] });
  assertEquals(summarizeRounds([4, 1, 2, 10]).median, 3);
  assertThrows(() => summarizeRounds([]), RangeError);
});
