import { assertEquals } from "../testing/assert.ts";
import { cacheWrites, EMPTY_USAGE, readUsage } from "./usage.ts";

Deno.test("readUsage() reads all four counts", () => {
  assertEquals(
    readUsage({
      input_tokens: 1,
      output_tokens: 2,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 4,
    }),
    { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, cacheCreationInputTokens: 4 },
  );
});

Deno.test("readUsage() overlays a later event on earlier counts", () => {
  const start = readUsage({ input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 });
  assertEquals(readUsage({ output_tokens: 99, input_tokens: null }, start), {
    inputTokens: 10,
    outputTokens: 99,
    cacheReadInputTokens: 5,
    cacheCreationInputTokens: 0,
  });
});

Deno.test("readUsage() ignores missing or malformed usage", () => {
  assertEquals(readUsage(undefined), { ...EMPTY_USAGE });
  assertEquals(readUsage({ input_tokens: -1, output_tokens: "3" }), { ...EMPTY_USAGE });
});

Deno.test("readUsage() ignores counts no real answer has: fractions, huge or unsafe numbers", () => {
  const known = readUsage({ input_tokens: 12, output_tokens: 3 });
  assertEquals(
    readUsage({ input_tokens: 1.5, output_tokens: 1e308, cache_read_input_tokens: 2 ** 60 }, known),
    { ...known, cacheReadInputTokens: 0 },
  );
  assertEquals(readUsage({ output_tokens: 1_000_000 }, known).outputTokens, 1_000_000);
});

Deno.test("readUsage() reads the 1-hour part of the cache writes from cache_creation", () => {
  assertEquals(
    readUsage({
      input_tokens: 3,
      output_tokens: 1,
      cache_creation_input_tokens: 5_000,
      cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 4_000 },
    }),
    {
      inputTokens: 3,
      outputTokens: 1,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 5_000,
      cacheCreation1hInputTokens: 4_000,
    },
  );
});

Deno.test("readUsage() keeps the 1-hour writes of message_start under a message_delta without cache_creation", () => {
  const start = readUsage({
    input_tokens: 3,
    output_tokens: 1,
    cache_creation_input_tokens: 4_000,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 4_000 },
  });
  assertEquals(readUsage({ output_tokens: 50 }, start).cacheCreation1hInputTokens, 4_000);
  assertEquals(
    readUsage({ output_tokens: 50, cache_creation: { ephemeral_1h_input_tokens: "x" } }, start)
      .cacheCreation1hInputTokens,
    4_000,
  );
});

Deno.test("readUsage() leaves out the 1-hour count when there is none", () => {
  const usage = readUsage({
    input_tokens: 3,
    output_tokens: 1,
    cache_creation_input_tokens: 700,
    cache_creation: { ephemeral_5m_input_tokens: 700, ephemeral_1h_input_tokens: 0 },
  });
  assertEquals("cacheCreation1hInputTokens" in usage, false);
});

Deno.test("cacheWrites() splits cache writes into 5-minute and 1-hour parts, all 5-minute when unsplit", () => {
  const usage = { ...EMPTY_USAGE, cacheCreationInputTokens: 900 };
  assertEquals(cacheWrites(usage), { fiveMinute: 900, oneHour: 0 });
  assertEquals(cacheWrites({ ...usage, cacheCreation1hInputTokens: 600 }), {
    fiveMinute: 300,
    oneHour: 600,
  });
  assertEquals(cacheWrites({ ...usage, cacheCreation1hInputTokens: 5_000 }), {
    fiveMinute: 0,
    oneHour: 900,
  });
});
