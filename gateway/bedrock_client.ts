import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";

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
 */
export function createBedrockClient(options: BedrockClientOptions): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 1,
    requestHandler: new FetchHttpHandler({ keepAlive: true }),
  });
}
