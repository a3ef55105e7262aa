import { assertEquals } from "../testing/assert.ts";
import { costUsd, promptTokens, ratesFor } from "./model_price.ts";

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

/** Sonnet 4.5 with the 1M context window: $6 / $22.50 past 200K prompt tokens, cache rates alike. */
const SONNET_1M = {
  ...SONNET,
  longContext: {
    aboveTokens: 200_000,
    input: 6,
    output: 22.5,
    cacheRead: 0.6,
    cacheWrite: 7.5,
    cacheWrite1h: 12,
  },
};

Deno.test("costUsd() charges every token of a prompt above the long-context threshold at the long-context rates", () => {
  const usage = {
    inputTokens: 2_000,
    outputTokens: 1_000,
    cacheReadInputTokens: 150_000,
    cacheCreationInputTokens: 60_000,
    cacheCreation1hInputTokens: 20_000,
  };
  assertEquals(
    costUsd(usage, SONNET_1M),
    (2_000 * 6 + 1_000 * 22.5 + 150_000 * 0.6 + 40_000 * 7.5 + 20_000 * 12) / 1_000_000,
  );
  // Twice the base cost, but output at 1.5 times.
  assertEquals(
    Math.round(costUsd(usage, SONNET_1M) * 1e6),
    Math.round(costUsd(usage, SONNET) * 1e6) * 2 - 1_000 * 7.5,
  );
});

Deno.test("costUsd() keeps the base rates up to the threshold itself, prompt tokens counted with the cache's", () => {
  const at = {
    inputTokens: 10_000,
    outputTokens: 1_000,
    cacheReadInputTokens: 150_000,
    cacheCreationInputTokens: 40_000,
  };
  assertEquals(costUsd(at, SONNET_1M), costUsd(at, SONNET));
  const above = { ...at, cacheCreationInputTokens: 40_001 };
  assertEquals(
    costUsd(above, SONNET_1M),
    (10_000 * 6 + 1_000 * 22.5 + 150_000 * 0.6 + 40_001 * 7.5) / 1_000_000,
  );
  // Output tokens do not count toward the threshold.
  assertEquals(
    costUsd({ ...at, outputTokens: 64_000 }, SONNET_1M),
    costUsd({ ...at, outputTokens: 64_000 }, SONNET),
  );
});

Deno.test("costUsd() charges Haiku 5.5 five times its base rates past 100,000 prompt tokens", () => {
  // Claude Code 2.1.332's price table (haiku_55) and Anthropic's Haiku 5.5 page.
  const haiku55 = {
    input: 0.1,
    output: 0.5,
    cacheRead: 0.01,
    cacheWrite: 0.125,
    cacheWrite1h: 0.2,
    longContext: {
      aboveTokens: 100_000,
      input: 0.5,
      output: 2.5,
      cacheRead: 0.05,
      cacheWrite: 0.625,
      cacheWrite1h: 1,
    },
  };
  const usage = {
    inputTokens: 20_000,
    outputTokens: 2_000,
    cacheReadInputTokens: 80_000,
    cacheCreationInputTokens: 0,
  };
  assertEquals(Math.round(costUsd(usage, haiku55) * 1e9), 3_800_000);
  assertEquals(
    Math.round(costUsd({ ...usage, inputTokens: 20_001 }, haiku55) * 1e9),
    19_000_500,
  );
});

Deno.test("ratesFor() is the base price for a model without a long-context tier, however long the prompt", () => {
  assertEquals(ratesFor(SONNET, 900_000), SONNET);
  assertEquals(ratesFor(SONNET_1M, 200_000), SONNET_1M);
  assertEquals(ratesFor(SONNET_1M, 200_001), SONNET_1M.longContext);
});

Deno.test("promptTokens() adds input, cache reads and cache writes, not output", () => {
  assertEquals(
    promptTokens({
      inputTokens: 1,
      outputTokens: 1_000,
      cacheReadInputTokens: 20,
      cacheCreationInputTokens: 300,
      cacheCreation1hInputTokens: 100,
    }),
    321,
  );
});
