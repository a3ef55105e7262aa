import { assertEquals } from "../../testing/assert.ts";
import { formatEntryCursor, parseEntryCursor } from "./entry_cursor.ts";

Deno.test("parseEntryCursor() reads what formatEntryCursor() wrote and refuses anything else", () => {
  const cursor = { day: "2026-11-30", requestId: "req_a:b" };
  assertEquals(parseEntryCursor(formatEntryCursor(cursor)), cursor);
  assertEquals(parseEntryCursor("req_1"), undefined);
  assertEquals(parseEntryCursor("2026-11-30:"), undefined);
  assertEquals(parseEntryCursor(`2026-11-30:${"x".repeat(257)}`), undefined);
});
