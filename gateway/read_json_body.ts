import {
  GatewayError,
  IncompleteBodyError,
  InvalidRequestError,
  RequestLimitError,
  RequestTooLargeError,
} from "./errors.ts";
import { jsonDepth } from "./json_depth.ts";

/** Options of {@linkcode readJsonBody}. */
export interface ReadJsonBodyOptions {
  /**
   * Deepest nesting accepted (400 above it): bounds the work of every later
   * walk over the body.
   * @default {64}
   */
  maxDepth?: number;
  /**
   * Called with the body's size once it is read, before it is decoded and
   * parsed: throwing refuses it there (the memory budget grows the request's
   * reservation to what parsing and the call need).
   */
  onBody?: (bytes: number) => void;
}

/**
 * Reads a request body as JSON, refusing more than `limitBytes` (413) before
 * reading it all, a body that ends before its end (the connection closed
 * mid-body: {@linkcode IncompleteBodyError}, a 400 the request record counts
 * as a client abort), and anything that is not a JSON object (400, with a message
 * that says what is wrong but does not echo the body), or nested deeper than
 * `maxDepth` (400).
 *
 * @param request The incoming request.
 * @param limitBytes The largest body accepted.
 * @param options Nesting limit.
 * @returns The parsed object, its byte length and the UTF-8 text it was parsed from.
 */
export async function readJsonBody(
  request: Request,
  limitBytes: number,
  options: ReadJsonBodyOptions = {},
): Promise<{ value: Record<string, unknown>; bytes: number; raw: Uint8Array }> {
  const header = request.headers.get("content-length");
  const declared = header !== null && DIGITS.test(header) ? Number(header) : undefined;
  if (header !== null && Number(header) > limitBytes) throw new RequestTooLargeError(limitBytes);
  // A declared body up to WHOLE_READ_BYTES is read whole, without `request.body`: once its stream
  // exists, `bytes()` reads through it chunk by chunk in JS (S1's shape, paired runs: 0.25 ms of
  // gateway CPU per request; this file's bench: 506 → 172 µs). Longer ones are read chunk by chunk
  // for the memory the whole read keeps (see WHOLE_READ_BYTES).
  let bytes: Uint8Array;
  try {
    if (declared !== undefined && declared <= WHOLE_READ_BYTES) {
      bytes = await _whole(request, limitBytes);
    } else {
      const body = request.body;
      if (body === null) throw new InvalidRequestError("Request body is empty: expected JSON");
      bytes = await _bounded(body, limitBytes);
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    // The server's read failed: the connection closed (or broke) before the body's end. The
    // request's signal is not aborted by then (measured on Deno 2.9): the error's class tells the
    // request record that the client left.
    throw new IncompleteBodyError({ cause: err });
  }
  const size = bytes.byteLength;
  if (size === 0) throw new InvalidRequestError("Request body is empty: expected JSON");
  options.onBody?.(size);
  // The replacing decoder is several times faster than the fatal one; invalid UTF-8 always
  // leaves a U+FFFD, so only a body with one (rare, and maybe a genuine U+FFFD) is checked again.
  const text = decoder.decode(bytes);
  if (text.includes("\uFFFD")) {
    try {
      fatalDecoder.decode(bytes);
    } catch {
      throw new InvalidRequestError("Request body is not valid UTF-8");
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message.slice(0, 120)}` : "";
    throw new InvalidRequestError(`Request body is not valid JSON${detail}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidRequestError("Request body must be a JSON object");
  }
  const maxDepth = options.maxDepth ?? 64;
  if (jsonDepth(value, maxDepth) > maxDepth) {
    throw new RequestLimitError(`Request body is nested deeper than ${maxDepth} levels`);
  }
  return { value: value as Record<string, unknown>, bytes: size, raw: bytes };
}

/**
 * Largest declared body read whole (`request.bytes()`). Past it, a body is read chunk by chunk:
 * after a whole read Deno's server keeps far more native memory for as long as the connection is
 * open, and a stream's connection is open for all of it. Measured with 485 KB requests (a long
 * conversation): `deno task bench --only long` 4.1–4.4 → 2.9–3.1 MiB of RSS per open stream, and
 * in a 512 MiB cgroup (`--only limit`) 71 streams peaked at 385–390 MiB instead of 441–451. With
 * 200 streams held: 1.9 → 1.4 MiB for 200 KB requests, 0.87 → 0.77 MiB for Claude Code's 87 KB
 * first request; the chunked read costs 0.15 to 0.4 ms more CPU per request (paired runs), so the
 * first request, below this size, keeps the whole read.
 */
const WHOLE_READ_BYTES = 128 * 1024;
const DIGITS = /^\d+$/;
const decoder = new TextDecoder();

/**
 * A short body whose length was declared (and checked against the limit):
 * the server reads no more than the declared length, so it is read in one go
 * (natively, faster than chunk by chunk in JS), and checked again after.
 */
async function _whole(request: Request, limitBytes: number): Promise<Uint8Array> {
  const bytes = await request.bytes();
  if (bytes.byteLength > limitBytes) throw new RequestTooLargeError(limitBytes);
  return bytes;
}

/**
 * A body of unknown length, or a long one: read chunk by chunk, refused as
 * soon as it passes the limit.
 */
async function _bounded(body: ReadableStream<Uint8Array>, limitBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      throw new RequestTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : concat(chunks, size);
}
const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
