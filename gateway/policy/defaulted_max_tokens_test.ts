import { assertEquals } from "../../testing/assert.ts";
import { defaultedMaxTokens } from "./defaulted_max_tokens.ts";

Deno.test("defaultedMaxTokens() lowers the default to the least room a budget leaves", () => {
  assertEquals(defaultedMaxTokens(128_000, [50_000.9, 90_000]), 50_000);
  assertEquals(defaultedMaxTokens(128_000, [200_000]), 128_000);
  assertEquals(defaultedMaxTokens(128_000, []), 128_000);
});

Deno.test("defaultedMaxTokens() goes no lower than 4,096, nor above a lower default", () => {
  assertEquals(defaultedMaxTokens(128_000, [1_000]), 4096);
  assertEquals(defaultedMaxTokens(128_000, [-20]), 4096);
  assertEquals(defaultedMaxTokens(2_000, [1_000]), 2_000);
  assertEquals(defaultedMaxTokens(2_000, [500_000]), 2_000);
});
