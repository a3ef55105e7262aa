import { assertEquals } from "../../testing/assert.ts";
import { withMaxTokens } from "./with_max_tokens.ts";

const run = (body: unknown, cap: number) =>
  JSON.parse(
    new TextDecoder().decode(withMaxTokens(new TextEncoder().encode(JSON.stringify(body)), cap)),
  );

Deno.test("withMaxTokens() replaces max_tokens and keeps every other field", () => {
  const body = { max_tokens: 64000, messages: [{ role: "user", content: "Hi" }], temperature: 0.5 };
  assertEquals(run(body, 8000), { ...body, max_tokens: 8000 });
});

Deno.test("withMaxTokens() lowers a thinking budget that no longer fits under the cap", () => {
  const thinking = { type: "enabled", budget_tokens: 16000 };
  assertEquals(run({ max_tokens: 32000, thinking }, 8000).thinking, {
    type: "enabled",
    budget_tokens: 7999,
  });
  assertEquals(run({ max_tokens: 32000, thinking }, 20000).thinking, thinking, "still fits");
  assertEquals(run({ max_tokens: 32000, thinking }, 1000).thinking, thinking, "no valid budget");
});
