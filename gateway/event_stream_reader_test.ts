import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { encodeChunkFrame, encodeExceptionFrame } from "@ccgate/emulators";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { base64Decode, crc32, EventStreamEvents } from "./event_stream_reader.ts";
import recorded from "./testdata/bedrock_stream_chunks.json" with { type: "json" };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** A byte stream (BYOB-capable, like a fetch body) handing out `bytes` in pieces of `size`. */
function byteStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const piece = bytes.subarray(at, at + size);
      at += piece.length;
      controller.enqueue(piece.slice());
    },
  });
}

/** A plain (non-byte) stream of the same pieces. */
function plainStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += size));
    },
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const noDeserializer = () => Promise.reject(new Error("the SDK deserialiser was not expected"));

async function collect(events: EventStreamEvents): Promise<string[]> {
  const out: string[] = [];
  for await (const event of events) {
    out.push(decoder.decode((event as { chunk: { bytes: Uint8Array } }).chunk.bytes));
  }
  return out;
}

Deno.test("EventStreamEvents decodes recorded chunk frames, padded or not, at any split", async () => {
  const chunks = recorded.chunks as string[];
  for (const padding of [true, false]) {
    const body = concat(chunks.map((c) => encodeChunkFrame(encoder.encode(c), { padding })));
    for (const size of [1, 7, 13, 200, 4096, body.length]) {
      for (const stream of [byteStream, plainStream]) {
        const events = new EventStreamEvents(stream(body, size), noDeserializer);
        assertEquals(await collect(events), chunks, `padding ${padding}, pieces of ${size}`);
      }
    }
  }
});

Deno.test("EventStreamEvents decodes a frame larger than its read buffer", async () => {
  const big = JSON.stringify({ type: "content_block_delta", text: "x".repeat(200_000) });
  const body = concat([
    encodeChunkFrame(encoder.encode(big)),
    encodeChunkFrame(encoder.encode("{}")),
  ]);
  const events = new EventStreamEvents(byteStream(body, 65_536), noDeserializer);
  assertEquals(await collect(events), [big, "{}"]);
});

Deno.test("EventStreamEvents throws what the SDK deserialiser makes of an exception frame", async () => {
  const body = concat([
    encodeChunkFrame(encoder.encode('{"type":"ping"}')),
    encodeExceptionFrame("ModelStreamErrorException", "boom"),
  ]);
  const seen: string[] = [];
  const thrown = Object.assign(new Error("boom"), { name: "ModelStreamErrorException" });
  const events = new EventStreamEvents(byteStream(body, 64), (event) => {
    const [key] = Object.keys(event);
    seen.push(key!);
    assertEquals(JSON.parse(decoder.decode(event[key!].body)), { message: "boom" });
    return Promise.resolve({ [key!]: thrown });
  });
  assertEquals((await events.next()).done, false);
  const error = await assertRejects(() => events.next(), Error);
  assert(error === thrown, "the deserialiser's exception is thrown as it is");
  assertEquals(seen, ["modelStreamErrorException"]);
});

Deno.test("EventStreamEvents throws on a bad message CRC and on a body ending inside a frame", async () => {
  const good = encodeChunkFrame(encoder.encode('{"type":"ping"}'));
  const corrupt = good.slice();
  corrupt[corrupt.length - 5]! ^= 1;
  const bad = new EventStreamEvents(byteStream(concat([good, corrupt]), 100), noDeserializer);
  assertEquals((await bad.next()).done, false);
  await assertRejects(() => bad.next(), Error, "checksum");
  const truncated = new EventStreamEvents(
    byteStream(concat([good, good.subarray(0, 20)]), 100),
    noDeserializer,
  );
  assertEquals((await truncated.next()).done, false);
  await assertRejects(() => truncated.next(), Error, "Truncated");
});

Deno.test("EventStreamEvents hands frames it does not fast-path to the SDK deserialiser", async () => {
  const frame = codec.encode({
    headers: {
      ":message-type": { type: "string", value: "event" },
      ":event-type": { type: "string", value: "somethingNew" },
    },
    body: encoder.encode("{}"),
  });
  const events = new EventStreamEvents(byteStream(frame, 100), (event) => {
    if ("somethingNew" in event) return Promise.resolve({ $unknown: event });
    return Promise.reject(new Error("unexpected event"));
  });
  assertEquals(await events.next(), { done: true, value: undefined }, "unknown events are skipped");
});

Deno.test("EventStreamEvents ends with the signal's reason when aborted mid-read", async () => {
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    type: "bytes",
    start(controller) {
      controller.enqueue(encodeChunkFrame(encoder.encode('{"type":"ping"}')));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const abort = new AbortController();
  const events = new EventStreamEvents(body, noDeserializer, abort.signal);
  assertEquals((await events.next()).done, false);
  const pending = events.next();
  const reason = new Error("client went away");
  abort.abort(reason);
  const error = await assertRejects(() => pending, Error);
  assert(error === reason, "the abort reason is thrown");
  assert(cancelled === reason, "the body is cancelled");
});

Deno.test("crc32() is the IEEE CRC-32", () => {
  assertEquals(crc32(encoder.encode("123456789")), 0xcbf43926);
  assertEquals(crc32(new Uint8Array(0)), 0);
});

Deno.test("base64Decode() agrees with Uint8Array.fromBase64 for every length and padding", () => {
  for (let n = 0; n < 64; n++) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    const ascii = encoder.encode(`xx${bytes.toBase64()}yy`);
    assertEquals(base64Decode(ascii, 2, ascii.length - 2), bytes);
  }
  const invalid = encoder.encode("ab!d");
  let threw = false;
  try {
    base64Decode(invalid, 0, 4);
  } catch {
    threw = true;
  }
  assert(threw, "invalid base64 throws");
});
