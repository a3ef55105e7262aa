import { assert, assertEquals } from "../testing/assert.ts";
import { ToolSearchRefusals } from "./tool_search_refusals.ts";

Deno.test("ToolSearchRefusals remembers a model id for an hour by the given clock", () => {
  let now = 1_000_000;
  const refusals = new ToolSearchRefusals({ now: () => new Date(now) });
  assert(!refusals.refused("m"));
  refusals.remember("m");
  assert(refusals.refused("m") && !refusals.refused("other"));
  now += 3_599_999;
  assert(refusals.refused("m"));
  now += 1;
  assert(!refusals.refused("m"), "forgotten after an hour");
  assert(!refusals.refused("m"));
});

Deno.test("ToolSearchRefusals forgets the oldest model id past maxEntries", () => {
  const refusals = new ToolSearchRefusals({ now: () => new Date(0), maxEntries: 2 });
  refusals.remember("a");
  refusals.remember("b");
  refusals.remember("a"); // refreshed: now the newest
  refusals.remember("c");
  assertEquals(["a", "b", "c"].map((m) => refusals.refused(m)), [true, false, true]);
});
