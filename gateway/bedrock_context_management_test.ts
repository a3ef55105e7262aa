import { assertEquals, assertMatch, assertThrows } from "../testing/assert.ts";
import { bedrockFamily } from "./bedrock_compat.ts";
import { bedrockContextManagement } from "./bedrock_context_management.ts";
import { InvalidRequestError } from "./errors.ts";

/**
 * How Claude Code 2.1.332 recognises a model that refuses tool-result
 * clearing (from its binary): on a 400 whose message matches, it stops
 * sending the edit to that model and retries without it.
 */
const CLAUDE_CODE_REFUSED_EDIT =
  /^\S{1,128} does not support the \W?clear_tool_uses_20250919\W? context management strategy/;

const CLEAR_TOOL_USES = {
  type: "clear_tool_uses_20250919",
  trigger: { type: "tool_uses", value: 30 },
  keep: { type: "tool_uses", value: 10 },
  clear_at_least: { type: "input_tokens", value: 20000 },
  exclude_tools: ["Read"],
};
const KEEP_ALL_THINKING = { type: "clear_thinking_20251015", keep: "all" };
const opus55 = bedrockFamily("eu.anthropic.claude-opus-5-5");
const sonnet45 = bedrockFamily("us.anthropic.claude-sonnet-4-5-20250929-v1:0");

Deno.test("bedrockContextManagement() refuses tool-result clearing on a model without context editing, as Claude Code expects", () => {
  const err = assertThrows(
    () =>
      bedrockContextManagement(
        { edits: [KEEP_ALL_THINKING, CLEAR_TOOL_USES] },
        { family: opus55, model: "claude-opus-5-5" },
      ),
    InvalidRequestError,
  );
  assertMatch(err.message, CLAUDE_CODE_REFUSED_EDIT);
  assertMatch(err.message, /^claude-opus-5-5 does not support .*context_management\.edits\.1/);
});

Deno.test("bedrockContextManagement() drops edits that ask for nothing on a model without context editing", () => {
  const family = opus55;
  const model = "claude-opus-5-5";
  assertEquals(
    bedrockContextManagement({ edits: [KEEP_ALL_THINKING] }, { family, model }),
    undefined,
  );
  assertEquals(bedrockContextManagement({ edits: [] }, { family, model }), undefined);
  assertEquals(bedrockContextManagement({}, { family, model }), undefined);
  assertEquals(bedrockContextManagement(null, { family, model }), undefined);
});

Deno.test("bedrockContextManagement() refuses clearing thinking turns on a model without context editing", () => {
  const edit = { type: "clear_thinking_20251015", keep: { type: "thinking_turns", value: 1 } };
  assertThrows(
    () => bedrockContextManagement({ edits: [edit] }, { family: opus55, model: "claude-opus-5-5" }),
    InvalidRequestError,
    "claude-opus-5-5 does not support the 'clear_thinking_20251015' context management strategy",
  );
});

Deno.test("bedrockContextManagement() drops every edit when asked to (token counting)", () => {
  const value = { edits: [CLEAR_TOOL_USES] };
  assertEquals(
    bedrockContextManagement(value, { family: opus55, model: "x", unsupported: "drop" }),
    undefined,
  );
});

Deno.test("bedrockContextManagement() keeps the field as sent for a family with the context-management beta", () => {
  const value = { edits: [CLEAR_TOOL_USES] };
  assertEquals(
    bedrockContextManagement(value, { family: sonnet45, model: "claude-sonnet-4-5" }),
    value,
  );
});

Deno.test("bedrockContextManagement() names an inference profile ARN's resource, never the account", () => {
  const arn = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3";
  const err = assertThrows(
    () =>
      bedrockContextManagement({ edits: [CLEAR_TOOL_USES] }, {
        family: bedrockFamily(arn),
        model: arn,
      }),
    InvalidRequestError,
  );
  assertMatch(err.message, CLAUDE_CODE_REFUSED_EDIT);
  assertEquals(err.message.includes("123456789012"), false);
});

Deno.test("bedrockContextManagement() refuses a field of the wrong shape with the field's path", () => {
  const options = { family: opus55, model: "m" };
  assertThrows(
    () => bedrockContextManagement("x", options),
    InvalidRequestError,
    "context_management:",
  );
  assertThrows(
    () => bedrockContextManagement({ edits: {} }, options),
    InvalidRequestError,
    "context_management.edits: Input should be a valid list",
  );
  assertThrows(
    () => bedrockContextManagement({ edits: [1] }, options),
    InvalidRequestError,
    "context_management.edits.0: Input should be an object",
  );
});
