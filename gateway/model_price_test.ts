import { assertEquals } from "../testing/assert.ts";
import { costUsd } from "./model_price.ts";

const SONNET = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

Deno.test("costUsd() prices each kind of token at its own rate", () => {
  assertEquals(
    costUsd({
      inputTokens: 2_000,
      outputTokens: 1_000,
      cacheReadInputTokens: 10_000,
      cacheCreationInputTokens: 4_000,
    }, SONNET),
    (2_000 * 3 + 1_000 * 15 + 10_000 * 0.3 + 4_000 * 3.75) / 1_000_000,
  );
});

Deno.test("costUsd() is zero for no tokens", () => {
  assertEquals(
    costUsd({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
    }, SONNET),
    0,
  );
});
