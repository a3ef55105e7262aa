import { assertEquals } from "../testing/assert.ts";
import { jsonDepth } from "./json_depth.ts";

Deno.test("jsonDepth() counts nesting of arrays and objects, not scalars", () => {
  assertEquals(jsonDepth("text", 10), 0);
  assertEquals(jsonDepth(null, 10), 0);
  assertEquals(jsonDepth({}, 10), 1);
  assertEquals(jsonDepth({ a: 1, b: [1, { c: [] }] }, 10), 4);
  assertEquals(jsonDepth([1, [2], [[3]]], 10), 3);
});

Deno.test("jsonDepth() stops at limit + 1 on deep input without overflowing the stack", () => {
  const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000));
  assertEquals(jsonDepth(deep, 64), 65);
  assertEquals(jsonDepth(JSON.parse("[".repeat(64) + "]".repeat(64)), 64), 64);
});
