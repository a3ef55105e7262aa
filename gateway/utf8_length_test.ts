import { assertEquals } from "../testing/assert.ts";
import { utf8Length } from "./utf8_length.ts";

Deno.test("utf8Length() is TextEncoder's length for ASCII, two-, three- and four-byte characters", () => {
  const encoder = new TextEncoder();
  for (
    const text of [
      "",
      "usage",
      "user@example.com",
      "café",
      "ß\u07ff\u0800",
      "日本語のグループ",
      "€",
      "😀 emoji 👩‍👩‍👧",
      "\uffff\u{10000}\u{10ffff}",
    ]
  ) {
    assertEquals(utf8Length(text), encoder.encode(text).length, JSON.stringify(text));
  }
});

Deno.test("utf8Length() counts a lone surrogate as U+FFFD, as TextEncoder encodes it", () => {
  const encoder = new TextEncoder();
  for (
    const text of ["\ud800", "a\udc00b", "\ud83d", "\ud83dx", "\ude00\ud83d", "x\ud83d\ud83d\ude00"]
  ) {
    assertEquals(utf8Length(text), encoder.encode(text).length, JSON.stringify(text));
  }
});
