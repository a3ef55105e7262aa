import { assert } from "../testing/assert.ts";
import { isToolSearchRefusal } from "./tool_search_refusal.ts";

const validation = (message: string) =>
  Object.assign(new Error(message), { name: "ValidationException" });

Deno.test("isToolSearchRefusal() knows Bedrock's and Claude Code's wordings of a tool search refusal", () => {
  for (
    const message of [
      "invalid beta flag",
      "tools.3.custom.defer_loading: Extra inputs are not permitted",
      "messages.4.content.0.tool_result.content.0: Input tag 'tool_reference' found using 'type' does not match any of the expected tags: 'text', 'image'",
      "Tool reference not found in available tools",
      "Unexpected value(s) `tool-search-tool-2025-10-19` for the `anthropic-beta` header",
      "tools.0: Input tag 'tool_search_tool_regex_20251119' found using 'type' does not match any of the expected tags",
    ]
  ) assert(isToolSearchRefusal(validation(message)), message);
});

Deno.test("isToolSearchRefusal() leaves other errors alone", () => {
  for (
    const message of [
      "Prompt is too long",
      "messages.1.content: Extra inputs are not permitted",
      "The provided model identifier is invalid.",
    ]
  ) assert(!isToolSearchRefusal(validation(message)), message);
  const throttled = Object.assign(new Error("invalid beta flag"), { name: "ThrottlingException" });
  assert(!isToolSearchRefusal(throttled), "only a ValidationException");
  assert(!isToolSearchRefusal("invalid beta flag"));
});
