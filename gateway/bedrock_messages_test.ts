import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { bedrockFamily } from "./bedrock_compat.ts";
import { bedrockBlocks, bedrockMessages } from "./bedrock_messages.ts";
import { InvalidRequestError } from "./errors.ts";

const FAMILY = bedrockFamily("us.anthropic.claude-sonnet-4-5-20250929-v1:0");

Deno.test("bedrockMessages() returns the very same list when nothing needs changing", () => {
  const messages = [
    { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
    { role: "assistant", content: "hello" },
  ];
  const dropped: string[] = [];
  assert(bedrockMessages(messages, FAMILY, dropped) === messages, "the same array, not a copy");
  assertEquals(dropped, []);
});

Deno.test("bedrockMessages() puts a system message after the next user turn's tool results", () => {
  const dropped: string[] = [];
  const out = bedrockMessages(
    [
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "ls", input: {} }] },
      { role: "system", content: "the tree changed" },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }, {
          type: "text",
          text: "go on",
        }],
      },
    ],
    FAMILY,
    dropped,
  );
  assertEquals(out.length, 2);
  assertEquals((out[1] as { content: unknown[] }).content, [
    { type: "tool_result", tool_use_id: "t1", content: "ok" },
    { type: "text", text: "<system-reminder>\nthe tree changed\n</system-reminder>" },
    { type: "text", text: "go on" },
  ]);
  assertEquals(dropped, ["rewrite:messages.1.role"]);
});

Deno.test("bedrockBlocks() strips cache_control.scope inside tool results and names the field", () => {
  const dropped: string[] = [];
  const blocks = [{
    type: "tool_result",
    tool_use_id: "t1",
    content: [{ type: "text", text: "x", cache_control: { type: "ephemeral", scope: "global" } }],
  }];
  const out = bedrockBlocks(blocks, "messages.0.content", FAMILY, dropped);
  assertEquals((out[0] as { content: { cache_control: unknown }[] }).content[0]!.cache_control, {
    type: "ephemeral",
  });
  assertEquals(dropped, ["field:messages.0.content.0.content.0.cache_control.scope"]);
  assertEquals(blocks[0]!.content[0]!.cache_control.scope, "global", "the input is not modified");
});

Deno.test("bedrockMessages() names the field of a bad message", () => {
  assertThrows(
    () => bedrockMessages([{ role: "robot", content: "x" }], FAMILY, []),
    InvalidRequestError,
    'messages.0.role: Input should be "user", "assistant" or "system"',
  );
});

Deno.test("bedrockBlocks() refuses an image or document given by URL or file_id, naming where it is", () => {
  const base64 = { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" };
  const cases: { blocks: unknown[]; at: string; says: string }[] = [
    {
      blocks: [{ type: "text", text: "look" }, {
        type: "image",
        source: { type: "url", url: "http://169.254.169.254/latest/meta-data/" },
      }],
      at: "messages.3.content.1.source: Bedrock does not fetch URLs",
      says: '"media_type": "image/png"',
    },
    {
      blocks: [{ type: "document", source: { type: "url", url: "https://example.com/a.pdf" } }],
      at: "messages.3.content.0.source: Bedrock does not fetch URLs",
      says: '"media_type": "application/pdf"',
    },
    {
      blocks: [{ type: "image", source: { type: "file", file_id: "file_011" } }],
      at: "messages.3.content.0.source: a Files API file_id",
      says: "send the image as base64",
    },
    {
      // Inside a tool result, and inside a document made of content blocks.
      blocks: [{
        type: "tool_result",
        tool_use_id: "t1",
        content: [{
          type: "document",
          source: {
            type: "content",
            content: [{ type: "text", text: "p1" }, {
              type: "image",
              source: { type: "url", url: "https://example.com/p2.png" },
            }],
          },
        }],
      }],
      at: "messages.3.content.0.content.0.source.content.1.source: Bedrock does not fetch URLs",
      says: "send the image as base64",
    },
  ];
  for (const { blocks, at, says } of cases) {
    const err = assertThrows(
      () => bedrockBlocks(blocks, "messages.3.content", FAMILY, []),
      InvalidRequestError,
    );
    assert(err.message.startsWith(at), err.message);
    assert(err.message.includes(says), err.message);
    assert(!err.message.includes("example.com") && !err.message.includes("169.254"), "no URL");
  }
  const kept = [{ type: "image", source: base64 }, {
    type: "document",
    source: { type: "content", content: [{ type: "image", source: base64 }] },
  }];
  const dropped: string[] = [];
  assert(bedrockBlocks(kept, "messages.0.content", FAMILY, dropped) === kept, "base64 passes");
  assertEquals(dropped, []);
});

Deno.test("bedrockBlocks() turns tool search's tool_reference answers into text, keeping cache_control", () => {
  const dropped: string[] = [];
  const blocks = [{
    type: "tool_result",
    tool_use_id: "toolu_1",
    content: [
      { type: "tool_reference", tool_name: "WebFetch" },
      { type: "tool_reference", tool_name: "NotebookEdit", cache_control: { type: "ephemeral" } },
    ],
  }];
  const out = bedrockBlocks(blocks, "messages.2.content", FAMILY, dropped);
  assertEquals((out[0] as { content: unknown[] }).content, [
    { type: "text", text: "Tool WebFetch is loaded." },
    { type: "text", text: "Tool NotebookEdit is loaded.", cache_control: { type: "ephemeral" } },
  ]);
  assertEquals(dropped, [
    "rewrite:messages.2.content.0.content.0.tool_reference",
    "rewrite:messages.2.content.0.content.1.tool_reference",
  ]);
});
