import { assertEquals } from "../testing/assert.ts";
import { EMPTY_USAGE } from "./usage.ts";
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

Deno.test("StreamMeter.estimated() says whether the output count is the estimate", () => {
  const meter = new StreamMeter();
  assertEquals(meter.estimated(reported), false, "nothing streamed yet");
  meter.read(delta("x".repeat(300)));
  assertEquals(meter.estimated(reported), true);
  assertEquals(meter.estimated({ ...reported, outputTokens: 500 }), false, "reported is higher");
  meter.read(encode({ type: "message_delta", usage: { output_tokens: 90 } }));
  assertEquals(meter.estimated({ ...reported, outputTokens: 90 }), false, "the final count");
});

Deno.test("StreamMeter.usage() counts at least one token per delta, not one more per delta", () => {
  const meter = new StreamMeter();
  for (let i = 0; i < 30; i++) meter.read(delta("Hi"));
  assertEquals(meter.usage(reported).outputTokens, 30);
  // Deltas of a few words: the bytes, not the deltas, make the estimate.
  const words = new StreamMeter();
  for (let i = 0; i < 10; i++) words.read(delta("lorem ipsum dolor sit amet, "));
  const n = words.usage(reported).outputTokens;
  assertEquals(n >= 60 && n <= 100, true, String(n)); // 280 bytes of text
});
