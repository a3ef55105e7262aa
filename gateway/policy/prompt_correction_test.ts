import { assertEquals } from "../../testing/assert.ts";
import type { TokenUsage } from "../usage.ts";
import { promptCorrection } from "./prompt_correction.ts";

function usage(input: number, cacheRead = 0, cacheWrite = 0): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: 900,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
  };
}

Deno.test("promptCorrection() credits back what the estimate counted above Bedrock's prompt: input, cache read and cache write", () => {
  assertEquals(promptCorrection(25_845, usage(3, 16_000, 2_500)), { excess: 0, credit: 7_342 });
  assertEquals(promptCorrection(500, usage(100)), { excess: 0, credit: 400 });
});

Deno.test("promptCorrection() adds what Bedrock counted above the estimate, output not included", () => {
  assertEquals(promptCorrection(200, usage(100, 300, 400)), { excess: 600, credit: 0 });
  assertEquals(promptCorrection(800, usage(100, 300, 400)), { excess: 0, credit: 0 });
});

Deno.test("promptCorrection() keeps the estimate without Bedrock's count: no usage, the gateway's own estimate, no input counts", () => {
  const none = { excess: 0, credit: 0 };
  assertEquals(promptCorrection(700, undefined), none);
  assertEquals(promptCorrection(700, usage(650), { promptEstimated: true }), none);
  assertEquals(promptCorrection(700, usage(900), { promptEstimated: true }), none);
  assertEquals(promptCorrection(700, usage(0)), none);
  assertEquals(promptCorrection(700, usage(650), { promptEstimated: false }), {
    excess: 0,
    credit: 50,
  });
});
