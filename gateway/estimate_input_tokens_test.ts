import { assert, assertEquals } from "../testing/assert.ts";
import {
  estimateBodyInputTokens,
  estimateBytesInputTokens,
  estimateInputTokens,
} from "./estimate_input_tokens.ts";
import recorded from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };

const user = (content: unknown) => ({ messages: [{ role: "user", content }] });

Deno.test("estimateInputTokens() counts English text at no fewer than one token per 3 characters", () => {
  const text = "The quick brown fox jumps over the lazy dog. ".repeat(100);
  const estimate = estimateInputTokens(user(text));
  assert(estimate >= text.length / 3, `${estimate} < ${text.length / 3}`);
  assert(estimate < text.length / 2, `${estimate} is not a sane estimate`);
});

Deno.test("estimateInputTokens() counts non-ASCII characters at 1.5 tokens each", () => {
  const text = "日本語のテキスト".repeat(100);
  assert(estimateInputTokens(user(text)) >= text.length * 1.5);
});

Deno.test("estimateInputTokens() charges a fixed amount per image instead of its base64 size", () => {
  const data = "A".repeat(1_000_000);
  const image = { type: "image", source: { type: "base64", media_type: "image/png", data } };
  const estimate = estimateInputTokens(user([image]));
  assert(estimate >= 1_600 && estimate < 1_700, `estimate ${estimate}`);
});

Deno.test("estimateInputTokens() adds the tool-use system prompt when tools are present", () => {
  const base = estimateInputTokens(user("hi"));
  const withTools = estimateInputTokens({
    ...user("hi"),
    tools: [{ name: "Read", description: "Read a file", input_schema: { type: "object" } }],
  });
  assert(withTools - base >= 400 + 20, `tools added only ${withTools - base}`);
});

Deno.test("estimateInputTokens() of Claude Code's recorded request is above a 4-characters-a-token count", () => {
  const body = recorded.body as Record<string, unknown>;
  const chars = JSON.stringify([body.system, body.messages, body.tools]).length;
  const estimate = estimateInputTokens(body);
  assert(estimate > chars / 4, `${estimate} <= ${chars / 4}`);
  assertEquals(estimateInputTokens({}), 1);
});

Deno.test("estimateBodyInputTokens() estimates a Bedrock body's bytes as its parsed request, else by length", () => {
  const request = {
    anthropic_version: "bedrock-2023-05-31",
    system: "You are terse.",
    messages: [{ role: "user", content: "What is the capital of France? ".repeat(20) }],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(request));
  assertEquals(estimateBodyInputTokens(bytes), estimateInputTokens(request));
  assertEquals(estimateBodyInputTokens(new TextEncoder().encode("x".repeat(300))), 100);
  assertEquals(estimateBodyInputTokens(new TextEncoder().encode("[1,2]")), 2);
});

Deno.test("estimateBytesInputTokens() counts a body known by its size at one token per 3 bytes, at least 1", () => {
  assertEquals(estimateBytesInputTokens(300), 100);
  assertEquals(estimateBytesInputTokens(301), 101);
  assertEquals(estimateBytesInputTokens(0), 1);
  // Not below the real count of text in three-byte characters (about one token each).
  assert(estimateBytesInputTokens(new TextEncoder().encode("日本語".repeat(100)).length) >= 300);
});
