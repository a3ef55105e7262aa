import { assertEquals } from "../testing/assert.ts";
import { costUsd } from "./model_price.ts";

const SONNET = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };

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

Deno.test("costUsd() prices 1-hour cache writes at the 1-hour rate, the rest at the 5-minute rate", () => {
  assertEquals(
    costUsd({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 5_000,
      cacheCreation1hInputTokens: 4_000,
    }, SONNET),
    (1_000 * 3.75 + 4_000 * 6) / 1_000_000,
  );
});

Deno.test("costUsd() charges a 24,000-token 1-hour write on Haiku 4.5 $0.018 more than a 5-minute one", () => {
  // The probe: Claude Code 2.1.332 computed $0.057200, the ledger recorded $0.039200.
  const haiku = { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, cacheWrite1h: 2 };
  const usage = {
    inputTokens: 200,
    outputTokens: 1_800,
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 24_000,
  };
  assertEquals(Math.round(costUsd(usage, haiku) * 1e6), 39_200);
  assertEquals(
    Math.round(costUsd({ ...usage, cacheCreation1hInputTokens: 24_000 }, haiku) * 1e6),
    57_200,
  );
});

Deno.test("costUsd() never counts more 1-hour writes than cache writes", () => {
  assertEquals(
    costUsd({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 1_000,
      cacheCreation1hInputTokens: 9_000,
    }, SONNET),
    1_000 * 6 / 1_000_000,
  );
});
