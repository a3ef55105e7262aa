import { anthropicErrorBody } from "./anthropic_error_body.ts";
import { type AnthropicErrorType, MalformedUpstreamError } from "./errors.ts";
import { parseBedrockJson } from "./parse_bedrock_json.ts";
import { EMPTY_USAGE, readUsage, type TokenUsage } from "./usage.ts";

const MALFORMED_EVENT = "a malformed stream event";
/** Options of {@linkcode SseFramer}. */
export interface SseFramerOptions {
  /** Replaces `message.model` in `message_start` (the name the client asked for). */
  model?: string;
}

const encoder = new TextEncoder();
/** `{"type":"` */
const PREFIX = [123, 34, 116, 121, 112, 101, 34, 58, 34];
const END = encoder.encode("\n\n");
const METRICS = "amazon-bedrock-invocationMetrics";
/** Events parsed in full: small, and they carry usage, the model name or Bedrock metrics. */
const PARSED = new Set(["message_start", "message_delta", "message_stop", "error"]);

/**
 * Turns Bedrock stream chunks (each one Anthropic stream event as JSON
 * bytes) into Server-Sent Events frames `event: <type>\ndata: <json>\n\n`,
 * one frame per chunk, and accumulates token usage on the way.
 *
 * Content deltas, the bulk of a stream, are framed without being parsed:
 * the event type is read from the chunk's leading `{"type":"...` and the
 * bytes are copied through. `message_start`, `message_delta` and
 * `message_stop` are parsed (they are small) to read usage, to drop
 * Bedrock's `amazon-bedrock-invocationMetrics`, and to put back the
 * requested model name.
 *
 * @example Frame a text delta
 * ```ts
 * import { SseFramer } from "./sse_frame.ts";
 * const framer = new SseFramer();
 * const chunk = new TextEncoder().encode('{"type":"ping"}');
 * console.assert(new TextDecoder().decode(framer.frame(chunk)) === 'event: ping\ndata: {"type":"ping"}\n\n');
 * ```
 */
export class SseFramer {
  /** Token usage seen so far (input/cache from `message_start`, totals from `message_delta`). */
  usage: TokenUsage = { ...EMPTY_USAGE };
  /** Bedrock's `amazon-bedrock-invocationMetrics` from `message_stop`, once seen. */
  bedrockMetrics?: Record<string, unknown>;
  readonly #model?: string;
  readonly #headers = new Map<string, Uint8Array>();

  /** @param options The requested model name to report back. */
  constructor(options: SseFramerOptions = {}) {
    this.#model = options.model;
  }

  /**
   * Frames one chunk.
   *
   * @param chunk The raw bytes of one Bedrock chunk.
   * @returns The SSE frame bytes.
   * @throws {MalformedUpstreamError} When the chunk is not an event JSON object (502 api_error).
   */
  frame(chunk: Uint8Array): Uint8Array {
    const type = _leadingType(chunk);
    if (
      type === undefined || PARSED.has(type) || chunk.indexOf(10) !== -1 ||
      chunk.indexOf(13) !== -1
    ) {
      return this.#parsed(chunk);
    }
    return this.#concat(type, chunk);
  }

  #parsed(chunk: Uint8Array): Uint8Array {
    const e = parseBedrockJson(chunk, MALFORMED_EVENT);
    const type = e.type;
    if (typeof type !== "string" || !/^[a-z_]{1,64}$/.test(type)) {
      throw new MalformedUpstreamError(MALFORMED_EVENT);
    }
    let changed = false;
    if (type === "message_start" && e.message !== null && typeof e.message === "object") {
      const message = e.message as Record<string, unknown>;
      this.usage = readUsage(message.usage, this.usage);
      if (this.#model !== undefined && "model" in message && message.model !== this.#model) {
        message.model = this.#model;
        changed = true;
      }
    } else if (type === "message_delta") {
      this.usage = readUsage(e.usage, this.usage);
    }
    if (METRICS in e) {
      const metrics = e[METRICS];
      if (metrics !== null && typeof metrics === "object") {
        this.bedrockMetrics = metrics as Record<string, unknown>;
      }
      delete e[METRICS];
      changed = true;
    }
    const safe = changed || chunk.indexOf(10) !== -1 || chunk.indexOf(13) !== -1;
    return this.#concat(type, safe ? encoder.encode(JSON.stringify(e)) : chunk);
  }

  #concat(type: string, json: Uint8Array): Uint8Array {
    let header = this.#headers.get(type);
    if (header === undefined) {
      header = encoder.encode(`event: ${type}\ndata: `);
      this.#headers.set(type, header);
    }
    const out = new Uint8Array(header.length + json.length + 2);
    out.set(header, 0);
    out.set(json, header.length);
    out.set(END, header.length + json.length);
    return out;
  }
}

/** Reads `t` from a chunk starting exactly `{"type":"t"`, or undefined. */
function _leadingType(chunk: Uint8Array): string | undefined {
  if (chunk.length < 12) return undefined;
  for (let i = 0; i < PREFIX.length; i++) if (chunk[i] !== PREFIX[i]) return undefined;
  let end = PREFIX.length;
  const limit = Math.min(chunk.length, PREFIX.length + 64);
  let type = "";
  for (; end < limit; end++) {
    const c = chunk[end]!;
    if (c === 34) break;
    if ((c < 97 || c > 122) && c !== 95) return undefined;
    type += String.fromCharCode(c);
  }
  if (end === limit || type === "") return undefined;
  const next = chunk[end + 1];
  return next === 44 || next === 125 ? type : undefined;
}

/**
 * The final `event: error` frame of a stream that failed after its first byte.
 *
 * @param type Anthropic error type.
 * @param message Message for the client.
 * @param requestId Added to the body as `request_id` when given.
 * @returns The frame bytes.
 *
 * @example
 * ```ts
 * import { sseErrorFrame } from "./sse_frame.ts";
 * const text = new TextDecoder().decode(sseErrorFrame("overloaded_error", "Overloaded"));
 * console.assert(text.startsWith("event: error\ndata: {\"type\":\"error\""));
 * ```
 */
export function sseErrorFrame(
  type: AnthropicErrorType,
  message: string,
  requestId?: string,
): Uint8Array {
  const body = JSON.stringify(anthropicErrorBody(type, message, requestId));
  return encoder.encode(`event: error\ndata: ${body}\n\n`);
}

/**
 * An `event: ping` frame, as Anthropic's API sends to keep a quiet stream open.
 *
 * @returns A new frame.
 *
 * @example
 * ```ts
 * import { ssePingFrame } from "./sse_frame.ts";
 * console.assert(new TextDecoder().decode(ssePingFrame()) === 'event: ping\ndata: {"type":"ping"}\n\n');
 * ```
 */
export function ssePingFrame(): Uint8Array {
  return encoder.encode('event: ping\ndata: {"type":"ping"}\n\n');
}
