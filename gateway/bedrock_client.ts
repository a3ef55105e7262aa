import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { eventStreamSerdeProvider } from "@smithy/eventstream-serde-browser";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import {
  BODY_SIGNALS,
  type EventStreamMarshaller,
  leanEventStreamMarshaller,
} from "./event_stream_reader.ts";

/** Options of {@linkcode createBedrockClient}. */
export interface BedrockClientOptions {
  /** AWS region. */
  region: string;
  /** Endpoint override: a VPC endpoint or the local emulator. */
  endpoint?: string;
  /** Explicit credentials (the emulator); unset means the default AWS credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Retries inside the SDK; the gateway does its own failover, so 1 attempt by default. */
  maxAttempts?: number;
}

/**
 * Creates the AWS SDK Bedrock Runtime client the gateway calls, using Deno's
 * native `fetch` as its HTTP handler: HTTP/1.1 or HTTP/2 by ALPN with
 * connection pooling, true streaming of the response body and abort support,
 * without the Node HTTP/2 compatibility layer the SDK picks by default.
 * Event-stream bodies are read by the lean reader of event_stream_reader.ts
 * (the SDK still signs, sends, and maps errors and exception frames).
 */
export function createBedrockClient(options: BedrockClientOptions): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 1,
    eventStreamSerdeProvider: (config: Parameters<typeof eventStreamSerdeProvider>[0]) =>
      leanEventStreamMarshaller(eventStreamSerdeProvider(config) as EventStreamMarshaller),
    requestHandler: new FetchHttpHandler({
      keepAlive: true,
      customFetch: abortableFetch as typeof fetch,
    }),
  });
  // The SDK rebuilds its user-agent sections on every call, reading the OS release each time
  // (about 40 µs of a request's CPU here); they do not change while the process runs.
  const config = client.config as { defaultUserAgentProvider: () => Promise<unknown> };
  config.defaultUserAgentProvider = once(config.defaultUserAgentProvider);
  return client;
}

/** `provide`, called once: later calls share the first promise (a failure is retried). */
function once<T>(provide: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    cached ??= provide().catch((err) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

/**
 * `fetch`, except that aborting the request's signal after the response
 * arrived always errors the body and cancels the connection: under load,
 * some aborted event streams were otherwise left open, with the SDK's read
 * pending forever (a leaked upstream call per client that went away).
 * One pass-through read per network chunk. An event-stream body is returned
 * as it came, its signal noted for the event-stream reader, which cancels its
 * own read on abort (one layer less per frame).
 */
async function abortableFetch(request: Request): Promise<Response> {
  const response = await fetch(request);
  const body = response.body;
  const signal = request.signal;
  if (body === null) return response;
  if (response.headers.get("content-type")?.startsWith(EVENT_STREAM) && response.ok) {
    BODY_SIGNALS.set(body, signal);
    return response;
  }
  const reader = body.getReader();
  let done = false;
  const guarded = new ReadableStream<Uint8Array>({
    start(controller) {
      const onAbort = () => {
        if (done) return;
        done = true;
        reader.cancel(signal.reason).catch(() => {});
        controller.error(signal.reason);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (done) return;
        if (chunk.done) {
          done = true;
          controller.close();
        } else controller.enqueue(_compact(chunk.value));
      } catch (err) {
        if (done) return;
        done = true;
        controller.error(err);
      }
    },
    cancel(reason) {
      done = true;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return new Response(guarded, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

const EVENT_STREAM = "application/vnd.amazon.eventstream";

/**
 * A network chunk on its own right-sized buffer when it fills little of the
 * one it was read into. Deno reads a fetch body into 64 KiB buffers, so a
 * 300-byte event frame kept by the decoder (or anything downstream) pinned
 * 64 KiB for as long as the stream stayed open: about 400 KiB per open
 * stream (`deno task bench`, memory probe after a full GC). The copy is
 * small by construction.
 */
function _compact(chunk: Uint8Array): Uint8Array {
  return chunk.byteLength * 4 < chunk.buffer.byteLength ? chunk.slice() : chunk;
}
