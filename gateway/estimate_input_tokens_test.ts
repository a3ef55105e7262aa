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

/** A base64 PNG of `width` × `height` (its header; the pixels do not matter to the estimate). */
function png(width: number, height: number, bytes = 100): string {
  const header = [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82];
  const size = [width, height].flatMap((
    n,
  ) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const head = String.fromCharCode(...header, ...size, 8, 2, 0, 0, 0);
  return btoa(head + "\0".repeat(Math.max(0, bytes - head.length)));
}

const image = (data: string) => ({
  type: "image",
  source: { type: "base64", media_type: "image/png", data },
});

/** A base64 PDF of `pages` pages padded to about `bytes` (a scan's size). */
function pdf(pages: number, bytes = 0): string {
  let text = "%PDF-1.4\n";
  for (let i = 0; i < pages; i++) text += `${i + 3} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n`;
  return btoa(text + "%".repeat(bytes) + "%%EOF\n");
}

const document = (data: string) => ({
  type: "document",
  source: { type: "base64", media_type: "application/pdf", data },
});

Deno.test("estimateInputTokens() charges an image by its pixels, not its base64 size, up to 4,784 tokens", () => {
  const base = estimateInputTokens(user([]));
  const of = (data: string) => estimateInputTokens(user([image(data)])) - base;
  // Claude Code sends a 3000×2000 screenshot at 2000×1333: 3,555 tokens (width × height / 750).
  const screenshot = of(png(2_000, 1_333, 600_000));
  assert(screenshot >= 3_555 && screenshot < 3_650, `screenshot ${screenshot}`);
  // An icon costs next to nothing; the size of the file says nothing.
  assert(of(png(64, 64, 600_000)) < 100, `icon ${of(png(64, 64, 600_000))}`);
  // Past what the newest models read (2,576 pixels a side, 4,784 tokens): at most 4,784.
  assert(of(png(8_000, 8_000)) - 4_784 < 100, `huge ${of(png(8_000, 8_000))}`);
  // A size that cannot be read: the most an image costs.
  const unknown = of("A".repeat(1_000_000));
  assert(unknown >= 4_784 && unknown < 4_900, `unknown ${unknown}`);
});

Deno.test("estimateInputTokens() charges a PDF by its pages, not its bytes", () => {
  const base = estimateInputTokens(user([]));
  const of = (data: string) => estimateInputTokens(user([document(data)])) - base;
  // 3 pages of scans, 3 MB: Bedrock counts about 5,000 tokens; its bytes would say 1,000,000.
  const scans = of(pdf(3, 3_000_000));
  assert(scans >= 3 * 2_500 && scans < 12_100, `scans ${scans}`);
  // 3 pages of text in 1 KB: each page is read as an image too, about 2,300 tokens.
  const text = of(pdf(3));
  assert(text >= 3 * 2_500, `text ${text}`);
  // Page objects out of sight (compressed object streams): by bytes, at most 100 pages' worth.
  const hidden = btoa("%PDF-1.5\n" + "%".repeat(3_000_000));
  assertEquals(of(hidden) >= 400_000 && of(hidden) < 400_100, true);
  const small = btoa("%PDF-1.5\n" + "%".repeat(30_000));
  assert(of(small) >= 10_000 && of(small) < 10_100, `small ${of(small)}`);
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
