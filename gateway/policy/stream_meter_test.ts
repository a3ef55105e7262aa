import { assertEquals } from "../../testing/assert.ts";
import { EMPTY_USAGE } from "../usage.ts";
import { StreamMeter } from "./stream_meter.ts";

const encode = (event: unknown) => new TextEncoder().encode(JSON.stringify(event));
const delta = (text: string) =>
  encode({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const reported = { ...EMPTY_USAGE, inputTokens: 12, outputTokens: 1 };

Deno.test("StreamMeter.usage() estimates the output of a stream cut before its final usage, erring high", () => {
  const meter = new StreamMeter();
  meter.read(encode({ type: "message_start", message: { usage: { input_tokens: 12 } } }));
  const text = "word ".repeat(40); // 200 characters: about 50 real tokens
  meter.read(delta(text));
  meter.read(delta(text));
  const usage = meter.usage(reported);
  assertEquals(usage.inputTokens, 12);
  assertEquals(usage.outputTokens >= 100, true, String(usage.outputTokens));
  assertEquals(usage.outputTokens <= 160, true, String(usage.outputTokens));
});

Deno.test("StreamMeter.usage() trusts the reported usage once the final message_delta arrived", () => {
  const meter = new StreamMeter();
  meter.read(delta("x".repeat(3000)));
  meter.read(encode({ type: "message_delta", usage: { output_tokens: 7 } }));
  assertEquals(meter.usage({ ...reported, outputTokens: 7 }).outputTokens, 7);
});

Deno.test("StreamMeter.usage() keeps a reported count above its estimate, and ignores other events", () => {
  const meter = new StreamMeter();
  meter.read(encode({ type: "content_block_start", index: 0, content_block: { type: "text" } }));
  meter.read(encode({ type: "ping" }));
  assertEquals(meter.usage(reported), reported);
  meter.read(delta("hi"));
  assertEquals(meter.usage({ ...reported, outputTokens: 40 }).outputTokens, 40);
});

Deno.test("StreamMeter.usage() never estimates more output than max_tokens allows", () => {
  const meter = new StreamMeter();
  meter.read(delta("x".repeat(3000)));
  assertEquals(meter.usage(reported, 100).outputTokens, 100);
});
