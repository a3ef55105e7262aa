import { assert, assertEquals } from "../testing/assert.ts";
import { sseStream, type StreamOutcome } from "./sse_stream.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An upstream whose events the test hands out one by one. */
function scriptedUpstream() {
  const waiting: PromiseWithResolvers<IteratorResult<Uint8Array>>[] = [];
  let called = Promise.withResolvers<void>();
  let returned = false;
  const upstream: AsyncIterator<Uint8Array> = {
    next() {
      const deferred = Promise.withResolvers<IteratorResult<Uint8Array>>();
      waiting.push(deferred);
      called.resolve();
      return deferred.promise;
    },
    return() {
      returned = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  /** The pending `next()`, once the stream has called it. */
  const take = async () => {
    while (waiting.length === 0) {
      await called.promise;
      called = Promise.withResolvers<void>();
    }
    return waiting.shift()!;
  };
  return {
    upstream,
    send: async (text: string) =>
      (await take()).resolve({ done: false, value: encoder.encode(text) }),
    end: async () => (await take()).resolve({ done: true, value: undefined }),
    fail: async (error: unknown) => (await take()).reject(error),
    get returned() {
      return returned;
    },
  };
}

const frame = (event: Uint8Array) => {
  const text = decoder.decode(event);
  if (text === "malformed") throw new Error("malformed event");
  return encoder.encode(`[${text}]`);
};
const errorFrame = (error: unknown) => encoder.encode(`error:${(error as Error).message}`);

/** The stream over a scripted upstream, its reader, how it ended and how often it aborted. */
function open(
  script: ReturnType<typeof scriptedUpstream>,
  pings: { pingFrame?: Uint8Array; pingIntervalMs?: number } = {},
) {
  const outcomes: StreamOutcome[] = [];
  const counts = { aborted: 0 };
  const reader = sseStream(encoder.encode("[a]"), script.upstream, {
    frame,
    errorFrame,
    ...pings,
    abort: () => counts.aborted++,
    onClose: (outcome) => outcomes.push(outcome),
  }).getReader();
  return { reader, outcomes, counts };
}

async function readText(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | null> {
  const { done, value } = await reader.read();
  return done ? null : decoder.decode(value);
}

Deno.test("sseStream() sends the first frame, then each upstream event framed, then completes", async () => {
  const script = scriptedUpstream();
  const { reader, outcomes } = open(script);
  assertEquals(await readText(reader), "[a]");
  const second = readText(reader);
  await script.send("b");
  assertEquals(await second, "[b]");
  const end = readText(reader);
  await script.end();
  assertEquals(await end, null);
  assertEquals(outcomes, [{ kind: "completed" }]);
});

Deno.test("sseStream() ends with the error frame when the upstream fails after the first byte", async () => {
  const script = scriptedUpstream();
  const { reader, outcomes } = open(script);
  assertEquals(await readText(reader), "[a]");
  const next = readText(reader);
  const error = new Error("idle timeout");
  await script.fail(error);
  assertEquals(await next, "error:idle timeout");
  assertEquals(await readText(reader), null);
  assertEquals(outcomes, [{ kind: "upstream_error", error }]);
});

Deno.test("sseStream() sends a ping while the upstream is silent, then the event", async () => {
  const script = scriptedUpstream();
  const { reader, outcomes } = open(script, {
    pingFrame: encoder.encode("ping"),
    pingIntervalMs: 0,
  });
  assertEquals(await readText(reader), "[a]");
  // The upstream stays silent until the ping has arrived: only the ping can answer this read.
  assertEquals(await readText(reader), "ping");
  const next = readText(reader);
  await script.send("b");
  // Zero-interval pings may come between: the event still arrives, in order, unbuffered.
  let text = await next;
  while (text === "ping") text = await readText(reader);
  assertEquals(text, "[b]");
  await reader.cancel();
  assertEquals(outcomes, [{ kind: "client_aborted" }]);
});

Deno.test("sseStream() aborts the upstream when the client goes away", async () => {
  const script = scriptedUpstream();
  const { reader, outcomes, counts } = open(script);
  assertEquals(await readText(reader), "[a]");
  const pending = reader.read();
  await reader.cancel();
  assertEquals((await pending).done, true);
  assertEquals(counts.aborted, 1);
  assert(script.returned, "the upstream iterator is closed");
  assertEquals(outcomes, [{ kind: "client_aborted" }]);
});

Deno.test("sseStream() ends with the error frame when an event cannot be framed, and ends the upstream call", async () => {
  const script = scriptedUpstream();
  const { reader, outcomes, counts } = open(script);
  assertEquals(await readText(reader), "[a]");
  const next = readText(reader);
  await script.send("malformed");
  assertEquals(await next, "error:malformed event");
  assertEquals(await readText(reader), null);
  assertEquals(counts.aborted, 1, "Bedrock's stream would run on");
  assert(script.returned, "the upstream iterator is closed (it holds the call's slot)");
  assertEquals(outcomes.map((o) => o.kind), ["upstream_error"]);
});
