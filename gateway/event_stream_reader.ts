/**
 * A lean reader of `application/vnd.amazon.eventstream` response bodies for
 * the AWS SDK: plugged in as the client's event-stream marshaller, it reads
 * the HTTP body itself (a BYOB reader into one small reused buffer, so an
 * open stream pins no 64 KiB read buffer) and turns each `chunk` event frame
 * straight into the SDK's `{ chunk: { bytes } }` union value, with no
 * per-frame async generators, header objects or JSON parsing. Every other
 * frame (exceptions, errors, other event types) goes through the SDK's own
 * deserialiser, so typed exceptions stay exactly the SDK's.
 *
 * @module
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

/** The SDK's per-event deserialiser, as handed to a marshaller's `deserialize`. */
// deno-lint-ignore no-explicit-any
type Deserializer = (event: Record<string, any>) => Promise<any>;

/** The part of the SDK's event-stream marshaller the client calls. */
export interface EventStreamMarshaller {
  /** Decodes a response body into the command's event union values. */
  // deno-lint-ignore no-explicit-any
  deserialize(body: any, deserializer: Deserializer): AsyncIterable<any>;
  /** Encodes request events (bidirectional streams only). */
  // deno-lint-ignore no-explicit-any
  serialize(input: any, serializer: any): any;
}

const MAX_FRAME = 16 * 1024 * 1024;
const BUFFER = 8 * 1024;
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MESSAGE_TYPE = encoder.encode(":message-type");
const EVENT_TYPE = encoder.encode(":event-type");
const EVENT = encoder.encode("event");
const CHUNK = encoder.encode("chunk");
/** `{"bytes":"` */
const BYTES_OPEN = encoder.encode('{"bytes":"');

/** Signals of event-stream response bodies, set by the client's `fetch` (see bedrock_client.ts). */
export const BODY_SIGNALS: WeakMap<ReadableStream<Uint8Array>, AbortSignal> = new WeakMap();

/**
 * Wraps the SDK's marshaller: response bodies that are web streams are read
 * by {@linkcode EventStreamEvents}; anything else (and `serialize`) goes to
 * the SDK's.
 *
 * @param inner The SDK's marshaller.
 * @returns The marshaller to give the client.
 */
export function leanEventStreamMarshaller(inner: EventStreamMarshaller): EventStreamMarshaller {
  return {
    deserialize(body, deserializer) {
      if (!(body instanceof ReadableStream)) return inner.deserialize(body, deserializer);
      return new EventStreamEvents(body, deserializer, BODY_SIGNALS.get(body));
    },
    serialize: (input, serializer) => inner.serialize(input, serializer),
  };
}

/**
 * The events of one event-stream body. `chunk` frames become
 * `{ chunk: { bytes } }` (bytes: a new array of exactly the event's size, no
 * reference to any network buffer); other frames go through the SDK's
 * deserialiser (exceptions are thrown as the SDK's typed exceptions); a bad
 * prelude or message CRC, or a body ending inside a frame, throws. Aborting
 * the body's signal cancels the read and throws the signal's reason.
 */
export class EventStreamEvents implements AsyncIterableIterator<unknown> {
  #reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array> | undefined;
  #byob = false;
  #buffer = new Uint8Array(BUFFER);
  #start = 0;
  #end = 0;
  #eof = false;
  #failed: unknown;
  readonly #body: ReadableStream<Uint8Array>;
  readonly #deserializer: Deserializer;
  readonly #signal: AbortSignal | undefined;

  /**
   * @param body The HTTP response body.
   * @param deserializer The SDK's per-event deserialiser.
   * @param signal The request's signal: aborting it ends the read.
   */
  constructor(body: ReadableStream<Uint8Array>, deserializer: Deserializer, signal?: AbortSignal) {
    this.#body = body;
    this.#deserializer = deserializer;
    this.#signal = signal;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }

  /** The next event, or done at the end of the body. */
  async next(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.#failed !== undefined) throw this.#failed;
      const frame = this.#frame();
      if (frame !== undefined) {
        const event = await this.#event(frame);
        if (event !== undefined) return { done: false, value: event };
        continue;
      }
      if (this.#eof) {
        this.#release();
        if (this.#start !== this.#end) throw new Error("Truncated event message received.");
        return { done: true, value: undefined };
      }
      await this.#read();
    }
  }

  /** Stops reading: cancels the body. */
  return(): Promise<IteratorResult<unknown>> {
    this.#eof = true;
    this.#start = this.#end = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader !== undefined) reader.cancel().catch(() => {});
    else this.#body.cancel().catch(() => {});
    this.#signal?.removeEventListener("abort", this.#onAbort);
    return Promise.resolve({ done: true, value: undefined });
  }

  readonly #onAbort = () => {
    this.#failed ??= this.#signal!.reason;
    this.#eof = true;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader !== undefined) reader.cancel(this.#signal!.reason).catch(() => {});
    else this.#body.cancel(this.#signal!.reason).catch(() => {});
  };

  #release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#reader = undefined;
  }

  async #read(): Promise<void> {
    if (this.#reader === undefined) {
      const signal = this.#signal;
      if (signal?.aborted) {
        this.#onAbort();
        throw this.#failed;
      }
      try {
        this.#reader = this.#body.getReader({ mode: "byob" });
        this.#byob = true;
      } catch {
        this.#reader = this.#body.getReader();
      }
      signal?.addEventListener("abort", this.#onAbort, { once: true });
    }
    this.#makeRoom();
    const reader = this.#reader;
    try {
      if (this.#byob) {
        const view = new Uint8Array(
          this.#buffer.buffer,
          this.#end,
          this.#buffer.byteLength - this.#end,
        );
        const { done, value } = await (reader as ReadableStreamBYOBReader).read(view);
        if (value !== undefined) {
          // The read transferred the buffer: keep using the one it came back in.
          this.#buffer = new Uint8Array(value.buffer);
          this.#end += value.byteLength;
        }
        if (done) this.#eof = true;
      } else {
        const { done, value } = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
        if (done) this.#eof = true;
        else this.#append(value);
      }
    } catch (err) {
      this.#failed ??= err;
      this.#release();
      throw this.#failed;
    }
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** Moves the unread bytes to the front, or grows the buffer for a frame longer than it. */
  #makeRoom(needed = 0): void {
    const unread = this.#end - this.#start;
    let capacity = this.#buffer.byteLength;
    if (unread >= 4) {
      const total = _u32(this.#buffer, this.#start);
      if (total <= MAX_FRAME) needed = Math.max(needed, total);
    }
    while (capacity < needed || capacity - unread < 1024) capacity *= 2;
    if (capacity !== this.#buffer.byteLength) {
      const grown = new Uint8Array(capacity);
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = grown;
    } else if (this.#start > 0 && (unread === 0 || capacity - this.#end < 1024)) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
    } else return;
    this.#start = 0;
    this.#end = unread;
  }

  #append(chunk: Uint8Array): void {
    this.#makeRoom(this.#end - this.#start + chunk.byteLength);
    if (this.#buffer.byteLength - this.#end < chunk.byteLength) {
      const grown = new Uint8Array(this.#end + chunk.byteLength);
      grown.set(this.#buffer.subarray(0, this.#end));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.byteLength;
  }

  /** The next complete, checked frame in the buffer (a view, valid until the next read), or undefined. */
  #frame(): Uint8Array | undefined {
    const buffer = this.#buffer;
    const start = this.#start;
    const available = this.#end - start;
    if (available < 12) return undefined;
    const total = _u32(buffer, start);
    const headers = _u32(buffer, start + 4);
    if (crc32(buffer, start, start + 8) !== _u32(buffer, start + 8)) {
      throw this.#fail(new Error("The prelude checksum does not match the calculated CRC32."));
    }
    if (total < 16 || total > MAX_FRAME || headers > total - 16) {
      throw this.#fail(new Error(`Invalid event message length ${total}.`));
    }
    if (available < total) return undefined;
    const end = start + total;
    if (crc32(buffer, start, end - 4) !== _u32(buffer, end - 4)) {
      throw this.#fail(new Error("The message checksum does not match the calculated CRC32."));
    }
    this.#start = end;
    return buffer.subarray(start, end);
  }

  #fail(error: Error): Error {
    this.#failed = error;
    const reader = this.#reader;
    this.#reader = undefined;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (reader !== undefined) reader.cancel(error).catch(() => {});
    else this.#body.cancel(error).catch(() => {});
    return error;
  }

  /** The union value of one frame, or undefined for an event type the SDK does not model. */
  #event(frame: Uint8Array): Promise<unknown> | unknown {
    const bytes = _chunkBytes(frame);
    if (bytes !== undefined) return { chunk: { bytes } };
    // Rare frames: the SDK's codec and deserialiser, as its own marshaller does.
    return _unmarshal(codec.decode(frame.slice()), this.#deserializer);
  }
}

/**
 * The Anthropic event bytes of a `chunk` event frame whose payload is
 * `{"bytes":"<base64>"...}`, or undefined for any other frame.
 */
function _chunkBytes(frame: Uint8Array): Uint8Array | undefined {
  const headersEnd = 12 + _u32(frame, 4);
  let messageType = false;
  let eventType = false;
  for (let i = 12; i < headersEnd;) {
    const nameLength = frame[i]!;
    const nameAt = i + 1;
    const type = frame[nameAt + nameLength];
    i = nameAt + nameLength + 1;
    switch (type) {
      case 0:
      case 1:
        break;
      case 2:
        i += 1;
        break;
      case 3:
        i += 2;
        break;
      case 4:
        i += 4;
        break;
      case 5:
      case 8:
        i += 8;
        break;
      case 9:
        i += 16;
        break;
      case 6:
      case 7: {
        const length = (frame[i]! << 8) | frame[i + 1]!;
        const valueAt = i + 2;
        i = valueAt + length;
        if (type !== 7) break;
        if (_equals(frame, nameAt, nameLength, MESSAGE_TYPE)) {
          if (!_equals(frame, valueAt, length, EVENT)) return undefined;
          messageType = true;
        } else if (_equals(frame, nameAt, nameLength, EVENT_TYPE)) {
          if (!_equals(frame, valueAt, length, CHUNK)) return undefined;
          eventType = true;
        }
        break;
      }
      default:
        return undefined;
    }
  }
  if (!messageType || !eventType) return undefined;
  const payloadEnd = frame.byteLength - 4;
  if (!_equals(frame, headersEnd, BYTES_OPEN.length, BYTES_OPEN)) return undefined;
  const from = headersEnd + BYTES_OPEN.length;
  const to = frame.indexOf(34, from);
  if (to < 0 || to >= payloadEnd) return undefined;
  const after = frame[to + 1];
  if (after !== 125 && after !== 44) return undefined;
  return base64Decode(frame, from, to);
}

async function _unmarshal(
  // deno-lint-ignore no-explicit-any
  message: { headers: Record<string, { value: any }>; body: Uint8Array },
  deserializer: Deserializer,
): Promise<unknown> {
  const messageType = message.headers[":message-type"]?.value;
  if (messageType === "error") {
    const error = new Error(message.headers[":error-message"]?.value || "UnknownError");
    error.name = message.headers[":error-code"]?.value;
    throw error;
  }
  if (messageType === "exception") {
    const code = message.headers[":exception-type"]?.value;
    const deserialized = await deserializer({ [code]: message });
    if (deserialized.$unknown) {
      const error = new Error(decoder.decode(message.body));
      error.name = code;
      throw error;
    }
    throw deserialized[code];
  }
  if (messageType === "event") {
    const deserialized = await deserializer({ [message.headers[":event-type"]?.value]: message });
    return deserialized.$unknown ? undefined : deserialized;
  }
  throw new Error(`Unrecognizable event type: ${message.headers[":event-type"]?.value}`);
}

function _u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>>
    0;
}

function _equals(bytes: Uint8Array, at: number, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length || at + length > bytes.length) return false;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/**
 * CRC-32 (IEEE) of `bytes[from, to)`, as event-stream preludes and messages carry it
 * (`node:zlib`'s native `crc32`, no copy).
 *
 * @param bytes The bytes.
 * @param from First index.
 * @param to Index past the last.
 * @returns The unsigned checksum.
 */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  return zlibCrc32(bytes.subarray(from, to));
}

const latin1 = new TextDecoder("latin1");

/**
 * Decodes standard padded base64 held as ASCII bytes `ascii[from, to)` into
 * a new array of the decoded size (the runtime's `Uint8Array.fromBase64`).
 *
 * @throws {Error} When the text is not valid base64.
 */
export function base64Decode(ascii: Uint8Array, from: number, to: number): Uint8Array {
  try {
    return Uint8Array.fromBase64(latin1.decode(ascii.subarray(from, to)), {
      lastChunkHandling: "strict",
    });
  } catch {
    throw new Error("Invalid base64 in an event-stream chunk.");
  }
}
