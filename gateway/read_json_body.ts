import { InvalidRequestError, RequestLimitError, RequestTooLargeError } from "./errors.ts";
import { jsonDepth } from "./json_depth.ts";

/** Options of {@linkcode readJsonBody}. */
export interface ReadJsonBodyOptions {
  /**
   * Deepest nesting accepted (400 above it): bounds the work of every later
   * walk over the body.
   * @default {64}
   */
  maxDepth?: number;
}

/**
 * Reads a request body as JSON, refusing more than `limitBytes` (413) before
 * reading it all, and anything that is not a JSON object (400, with a message
 * that says what is wrong but does not echo the body), or nested deeper than
 * `maxDepth` (400).
 *
 * @param request The incoming request.
 * @param limitBytes The largest body accepted.
 * @param options Nesting limit.
 * @returns The parsed object and its byte length.
 */
export async function readJsonBody(
  request: Request,
  limitBytes: number,
  options: ReadJsonBodyOptions = {},
): Promise<{ value: Record<string, unknown>; bytes: number }> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limitBytes) {
    throw new RequestTooLargeError(limitBytes);
  }
  if (request.body === null) throw new InvalidRequestError("Request body is empty: expected JSON");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
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
  if (size === 0) throw new InvalidRequestError("Request body is empty: expected JSON");
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, size);
  let text: string;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    throw new InvalidRequestError("Request body is not valid UTF-8");
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
  return { value: value as Record<string, unknown>, bytes: size };
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
