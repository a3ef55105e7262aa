import { assertEquals } from "../testing/assert.ts";
import { EMPTY_USAGE, readUsage } from "./usage.ts";

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
