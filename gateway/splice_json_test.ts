import { assert, assertEquals } from "../testing/assert.ts";
import { jsonSourceSlices } from "./json_source_slices.ts";
import { spliceJson } from "./splice_json.ts";
import claudeCode from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parse(text: string) {
  const source = encoder.encode(text);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return { source, parsed };
}

Deno.test("jsonSourceSlices() maps top-level values and top-level array elements to their bytes", () => {
  const { source, parsed } = parse(
    '{ "a" : [ {"b":"x\\"]}"} , 2, [3] ] ,"s":"t", "o": {"k": "é\\\\"}, "n": null }',
  );
  const slices = jsonSourceSlices(source, parsed)!;
  const text = (v: unknown) => decoder.decode(slices.get(v as object));
  const a = parsed.a as unknown[];
  assertEquals(text(a), '[ {"b":"x\\"]}"} , 2, [3] ]');
  assertEquals(text(a[0]), '{"b":"x\\"]}"}');
  assertEquals(text(a[2]), "[3]");
  assertEquals(text(parsed.o), '{"k": "é\\\\"}');
  assertEquals(slices.size, 4);
});

Deno.test("jsonSourceSlices() maps a repeated key's last value, as JSON.parse keeps", () => {
  const { source, parsed } = parse('{"tools":[{"name":"first"}],"x":1,"tools":[{"name":"last"}]}');
  const slices = jsonSourceSlices(source, parsed)!;
  assertEquals(decoder.decode(slices.get(parsed.tools as object)), '[{"name":"last"}]');
});

Deno.test("jsonSourceSlices() reads escaped keys and skips a byte order mark", () => {
  const text = '{"to\\u006fls":[{"a":1}]}';
  const source = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(text)]);
  const parsed = JSON.parse(text);
  const slices = jsonSourceSlices(source, parsed)!;
  assertEquals(decoder.decode(slices.get(parsed.tools)), '[{"a":1}]');
});

Deno.test("jsonSourceSlices() returns undefined when the bytes are not the parsed object's", () => {
  const parsed = JSON.parse('{"a":[1,2]}');
  assertEquals(jsonSourceSlices(encoder.encode("[1]"), parsed), undefined);
  assertEquals(jsonSourceSlices(encoder.encode('{"a":[1,2,3]}'), parsed), undefined);
  assertEquals(jsonSourceSlices(encoder.encode('{"a":"unterminated'), parsed), undefined);
});

Deno.test("spliceJson() parses to the same value as JSON.stringify, copying untouched parts", () => {
  const text = JSON.stringify(claudeCode.body, null, 1); // whitespace the copy keeps
  const { source, parsed } = parse(text);
  const messages = parsed.messages as unknown[];
  const out = {
    first: "added",
    tools: parsed.tools,
    messages: [messages[0], { role: "user", content: "changed" }, ...messages.slice(2)],
    system: parsed.system,
    skipped: undefined,
    max_tokens: 5,
  };
  const bytes = spliceJson(out, jsonSourceSlices(source, parsed)!);
  const spliced = decoder.decode(bytes);
  assertEquals(JSON.parse(spliced), JSON.parse(JSON.stringify(out)));
  assertEquals(Object.keys(JSON.parse(spliced)), [
    "first",
    "tools",
    "messages",
    "system",
    "max_tokens",
  ]);
  // The tools were copied from the source text, whitespace and all.
  assert(
    spliced.includes(`"tools":${JSON.stringify(parsed.tools, null, 1).replaceAll("\n", "\n ")}`),
  );
});

Deno.test("spliceJson() with no slices is JSON.stringify", () => {
  const value = { a: [1, undefined, { b: "é" }], c: null, d: undefined, e: "\u2028" };
  assertEquals(decoder.decode(spliceJson(value, new Map())), JSON.stringify(value));
});
