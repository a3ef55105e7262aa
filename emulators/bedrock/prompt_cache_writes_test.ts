import { assertEquals } from "../../testing/assert.ts";
import { countInputTokens } from "./count_input_tokens.ts";
import { MIN_CACHED_TOKENS, promptCacheWrites } from "./prompt_cache_writes.ts";

const ONE_HOUR = { type: "ephemeral", ttl: "1h" };
const FIVE_MINUTES = { type: "ephemeral" };
const text = (chars: number, cache_control?: unknown) => ({
  type: "text",
  text: "x".repeat(chars),
  ...(cache_control === undefined ? {} : { cache_control }),
});

Deno.test("promptCacheWrites() writes up to the last 1-hour breakpoint to the 1-hour cache, then up to the last one to the 5-minute cache", () => {
  const system = [text(8_000, ONE_HOUR)];
  const messages = [
    { role: "user", content: [text(4_000, FIVE_MINUTES)] },
    { role: "assistant", content: "ok" },
    { role: "user", content: "uncached tail" },
  ];
  const writes = promptCacheWrites({ system, messages })!;
  const oneHour = Math.floor(JSON.stringify(system[0]).length / 4);
  const upToLast = Math.floor(
    (JSON.stringify(system[0]).length + JSON.stringify(messages[0]!.content[0]).length) / 4,
  );
  assertEquals(writes, {
    ephemeral_5m_input_tokens: upToLast - oneHour,
    ephemeral_1h_input_tokens: oneHour,
  });
  const total = countInputTokens({ system, messages });
  assertEquals(upToLast < total, true, "the tail after the last breakpoint is not written");
});

Deno.test("promptCacheWrites() counts tools first, and 5-minute breakpoints only as 5-minute writes", () => {
  const tools = [{ name: "Read", description: "x".repeat(6_000), cache_control: FIVE_MINUTES }];
  const writes = promptCacheWrites({ tools, messages: [{ role: "user", content: "Hi" }] })!;
  assertEquals(writes.ephemeral_1h_input_tokens, 0);
  assertEquals(writes.ephemeral_5m_input_tokens, Math.floor(JSON.stringify(tools[0]).length / 4));
});

Deno.test("promptCacheWrites() writes nothing without a breakpoint or below the minimum", () => {
  assertEquals(promptCacheWrites({ system: [text(20_000)], messages: [] }), undefined);
  assertEquals(promptCacheWrites({ system: "x".repeat(20_000), messages: [] }), undefined);
  const small = [text(MIN_CACHED_TOKENS * 4 - 100, ONE_HOUR)];
  assertEquals(promptCacheWrites({ system: small, messages: [] }), undefined);
  assertEquals(promptCacheWrites({}), undefined);
});
