import { assert, assertEquals } from "../../testing/assert.ts";
import { countInputTokens } from "./count_input_tokens.ts";

Deno.test("countInputTokens() counts system, messages and tools at four characters a token", () => {
  const messages = [{ role: "user", content: "Hello there" }];
  const base = countInputTokens({ messages });
  assertEquals(base, Math.ceil((JSON.stringify(messages).length + 2 + 2) / 4));
  const withTools = countInputTokens({
    messages,
    tools: [{ name: "Read", input_schema: { type: "object" } }],
  });
  assert(withTools > base, "tools add tokens");
  assert(countInputTokens({ messages, system: "You are terse." }) > base, "system adds tokens");
});

Deno.test("countInputTokens() of an empty body counts only the JSON of the defaults", () => {
  assertEquals(countInputTokens({}), 2);
  assertEquals(countInputTokens({ system: "" }), 2);
});
