import { assertEquals } from "../testing/assert.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import recorded from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };

Deno.test("parseAnthropicBeta() splits Claude Code's header in order", () => {
  const flags = parseAnthropicBeta(recorded.headers["anthropic-beta"]);
  assertEquals(flags.length, 8);
  assertEquals(flags[0], "claude-code-20250219");
  assertEquals(flags[7], "effort-2025-11-24");
});

Deno.test("parseAnthropicBeta() merges repeated values, trims and dedupes", () => {
  assertEquals(parseAnthropicBeta([" a ,b", "b, c,,", "a"]), ["a", "b", "c"]);
  assertEquals(parseAnthropicBeta("a, b, a"), ["a", "b"]);
});

Deno.test("parseAnthropicBeta() returns nothing for a missing header", () => {
  assertEquals(parseAnthropicBeta(undefined), []);
  assertEquals(parseAnthropicBeta(null), []);
  assertEquals(parseAnthropicBeta(""), []);
  assertEquals(parseAnthropicBeta([]), []);
});
