/**
 * Sends one request and reads its body chunk by chunk, timing each chunk:
 * the load generator's only network code.
 *
 * @module
 */
import type { RequestSpec } from "./jobs.ts";

/** A request ready to send many times: encoded body, one HTTP client. */
export interface PreparedRequest {
  name: string;
  url: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
  client: Deno.HttpClient;
}

/** Prepares a request spec: the body is encoded once, the connection pool is its own. */
export function prepare(spec: RequestSpec): PreparedRequest {
  return {
    name: spec.name,
    url: spec.url,
    headers: new Headers(spec.headers),
    body: new TextEncoder().encode(spec.body),
    client: Deno.createHttpClient({}),
  };
}

/** Timing of one exchange. */
export interface Exchange {
  /** HTTP status (0 when the request failed before an answer). */
  status: number;
  /** Request start to response end, ms. */
  totalMs: number;
  /** Request start to first body chunk, ms (`NaN` without a body). */
  firstChunkMs: number;
  /** Time between consecutive chunks, ms. */
  gaps: number[];
  /** Whether the body ended as a complete answer (`message_stop` seen, or a 200 JSON body). */
  complete: boolean;
  /** Error text when the exchange failed. */
  error?: string;
  /**
   * The `gateway` part of the answer's `Server-Timing` header (ccgate's own
   * work before its Bedrock call, ms); `NaN` when absent (the emulator, the proxy).
   */
  gatewayMs: number;
}

/** The `dur` of the `gateway` entry of a `Server-Timing` header, or `NaN`. */
export function gatewayTiming(header: string | null): number {
  const match = header === null ? null : /(?:^|,)\s*gateway;(?:[^,]*;)?dur=([\d.]+)/.exec(header);
  return match === null ? Number.NaN : Number(match[1]);
}

const decoder = new TextDecoder();

/**
 * Sends `request` and reads the answer to its end.
 *
 * @param request The prepared request.
 * @param options `keepGaps`: record chunk gaps; `startedAt`: the time to measure from
 *   (an open-loop schedule), default now; `onFirstChunk`, `signal`.
 */
export async function exchange(
  request: PreparedRequest,
  options: {
    keepGaps?: boolean;
    startedAt?: number;
    onFirstChunk?: () => void;
    signal?: AbortSignal;
  } = {},
): Promise<Exchange> {
  const start = options.startedAt ?? performance.now();
  const gaps: number[] = [];
  let firstChunkMs = Number.NaN;
  try {
    const res = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      client: request.client,
      signal: options.signal,
    });
    const gatewayMs = gatewayTiming(res.headers.get("server-timing"));
    if (res.body === null) {
      return {
        status: res.status,
        totalMs: performance.now() - start,
        firstChunkMs,
        gaps,
        complete: false,
        gatewayMs,
      };
    }
    const reader = res.body.getReader();
    let last = 0;
    let tail = "";
    for (;;) {
      const { done, value } = await reader.read();
      const now = performance.now();
      if (done) break;
      if (Number.isNaN(firstChunkMs)) {
        firstChunkMs = now - start;
        options.onFirstChunk?.();
      } else if (options.keepGaps) {
        gaps.push(now - last);
      }
      last = now;
      tail = value.length > 512
        ? decoder.decode(value.subarray(value.length - 512))
        : decoder.decode(value);
    }
    const totalMs = performance.now() - start;
    const isStream = (res.headers.get("content-type") ?? "").includes("event");
    // An SSE stream ends with `message_stop`; a Bedrock event stream's last frame is binary
    // (base64 payload), so only its status and presence of a body are checked.
    const complete = res.status === 200 &&
      (!isStream || tail.includes("message_stop") ||
        res.headers.get("content-type")!.includes("amazon"));
    return {
      status: res.status,
      totalMs,
      firstChunkMs,
      gaps,
      complete,
      error: complete ? undefined : `status ${res.status}: ${tail.slice(0, 200)}`,
      gatewayMs,
    };
  } catch (err) {
    return {
      status: 0,
      totalMs: performance.now() - start,
      firstChunkMs,
      gaps,
      complete: false,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      gatewayMs: Number.NaN,
    };
  }
}
