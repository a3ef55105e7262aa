import { assertEquals } from "../../testing/assert.ts";
import { asksOneHourCache } from "./asks_one_hour_cache.ts";

const ONE_HOUR = { type: "ephemeral", ttl: "1h" };
const FIVE_MINUTES = { type: "ephemeral" };

Deno.test("asksOneHourCache() finds a 1-hour cache_control on a tool, a system block or a message block", () => {
  const text = (cache_control: unknown) => ({ type: "text", text: "x", cache_control });
  assertEquals(asksOneHourCache({ tools: [{ name: "Read", cache_control: ONE_HOUR }] }), true);
  assertEquals(asksOneHourCache({ system: [text(ONE_HOUR)], messages: [] }), true);
  assertEquals(
    asksOneHourCache({ messages: [{ role: "user", content: [text(ONE_HOUR)] }] }),
    true,
  );
  assertEquals(
    asksOneHourCache({
      messages: [{
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t", content: [text(ONE_HOUR)] }],
      }],
    }),
    true,
  );
});

Deno.test("asksOneHourCache() is false for 5-minute writes, no cache_control or odd shapes", () => {
  assertEquals(
    asksOneHourCache({
      system: [{ type: "text", text: "x", cache_control: FIVE_MINUTES }],
      messages: [{
        role: "user",
        content: [{ type: "text", text: "y", cache_control: { ttl: "5m" } }],
      }],
    }),
    false,
  );
  assertEquals(
    asksOneHourCache({ system: "x", messages: [{ role: "user", content: "hi" }] }),
    false,
  );
  assertEquals(
    asksOneHourCache({ messages: [null, 3, { content: [null, { cache_control: null }] }] }),
    false,
  );
  assertEquals(asksOneHourCache({}), false);
});
