import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { eventStreamSerdeProvider } from "@smithy/eventstream-serde-browser";
import { DenoFetchHandler } from "./deno_fetch_handler.ts";
import { type EventStreamMarshaller, leanEventStreamMarshaller } from "./event_stream_reader.ts";

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
 * native `fetch` through {@linkcode DenoFetchHandler}: HTTP/1.1 with
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
    requestHandler: new DenoFetchHandler(),
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
