import { assertEquals } from "../../testing/assert.ts";
import { knownCost } from "./known_cost.ts";

Deno.test("knownCost() is null when every request counted is unpriced, else the priced requests' cost", () => {
  assertEquals(knownCost(0, { requests: 3, unpriced: 3 }), null, "unknown, not free");
  assertEquals(knownCost(0.25, { requests: 3, unpriced: 2 }), 0.25, "the priced part of a mix");
  assertEquals(knownCost(0, { requests: 3, unpriced: 0 }), 0, "priced and free (refused) stays 0");
  assertEquals(knownCost(0, { requests: 0, unpriced: 0 }), 0, "no requests cost nothing");
});
