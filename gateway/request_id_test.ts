import { assert, assertEquals, assertMatch } from "../testing/assert.ts";
import { newRequestId } from "./request_id.ts";

Deno.test("newRequestId() starts with the time in hex, so ids sort by arrival", () => {
  const at = new Date("2026-12-01T10:00:00.123Z");
  const id = newRequestId(at);
  assertMatch(id, /^req_[0-9a-f]{24}$/);
  assertEquals(parseInt(id.slice(4, 16), 16), at.getTime());
  const times = [0, 1, 255, 256, 4_095, 60_000, 86_400_000].map((ms) => at.getTime() + ms);
  const ids = times.map((ms) => newRequestId(new Date(ms)));
  // Shuffled, then sorted as KV sorts string key parts: back in time order.
  assertEquals([...ids].reverse().sort(), ids);
});

Deno.test("newRequestId() differs for requests of the same millisecond", () => {
  const at = new Date("2026-12-01T10:00:00Z");
  const ids = new Set(Array.from({ length: 1_000 }, () => newRequestId(at)));
  assertEquals(ids.size, 1_000);
  for (const id of ids) assert(id.startsWith("req_" + at.getTime().toString(16).padStart(12, "0")));
});
