import { assertEquals } from "../testing/assert.ts";
import { TARGETS, verdict } from "./targets.ts";

Deno.test("verdict() passes a value at or under a max bound and misses above it", () => {
  assertEquals(verdict(1, { kind: "max", limit: 1 }), "pass");
  assertEquals(verdict(1.01, { kind: "max", limit: 1 }), "miss");
  assertEquals(verdict(-0.2, { kind: "max", limit: 1 }), "pass");
});

Deno.test("verdict() passes a value at or over a min bound and misses below it", () => {
  assertEquals(verdict(0.7, { kind: "min", limit: 0.7 }), "pass");
  assertEquals(verdict(0.69, { kind: "min", limit: 0.7 }), "miss");
});

Deno.test("verdict() says not run when there is no value", () => {
  assertEquals(verdict(undefined, { kind: "max", limit: 1 }), "not run");
  assertEquals(verdict(Number.NaN, { kind: "min", limit: 1 }), "not run");
});

Deno.test("TARGETS has unique ids and carries the issue's bounds", () => {
  assertEquals(new Set(TARGETS.map((t) => t.id)).size, TARGETS.length);
  const byId = Object.fromEntries(TARGETS.map((t) => [t.id, t.target]));
  assertEquals(byId.s1_added_median, { kind: "max", limit: 1 });
  assertEquals(byId.s2_ratio, { kind: "min", limit: 0.7 });
  assertEquals(byId.s3_scale_streams, { kind: "min", limit: 2000 });
  assertEquals(byId.memory_per_stream, { kind: "max", limit: 64 });
});
