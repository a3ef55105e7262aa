/**
 * A gateway under test, on a real socket, in front of the Bedrock emulator,
 * with a test token issuer: what the gateway's end-to-end tests start.
 *
 * @module
 */
import {
  type BedrockEmulator,
  type BedrockEmulatorOptions,
  startBedrockEmulator,
} from "@ccgate/emulators";
import { createApp } from "../gateway/app.ts";
import { createBedrockClient } from "../gateway/bedrock_client.ts";
import { loadGatewayConfig } from "../gateway/config.ts";
import type { LogRecord } from "../gateway/log.ts";
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from "./test_issuer.ts";

/** A running gateway + emulator. */
export interface GatewayStack extends AsyncDisposable {
  /** Gateway base URL. */
  url: string;
  /** The Bedrock emulator behind it. */
  emulator: BedrockEmulator;
  /** Mints tokens the gateway accepts. */
  issuer: TestIssuer;
  /** A valid token for the default test user. */
  token: string;
  /** Every log record the gateway wrote. */
  logs: LogRecord[];
  /** Revoked session ids (the gateway's `isRevoked`). */
  revoked: Set<string>;
  /** Stops both. */
  close(): Promise<void>;
}

/** Starts a {@linkcode GatewayStack}; `env` overrides gateway settings. */
export async function startGatewayStack(
  options: { env?: Record<string, string>; emulator?: BedrockEmulatorOptions } = {},
): Promise<GatewayStack> {
  const emulator = await startBedrockEmulator(options.emulator);
  const issuer = await createTestIssuer();
  const config = loadGatewayConfig({
    CCGATE_ISSUER: TEST_ISSUER,
    CCGATE_AUDIENCE: TEST_AUDIENCE,
    ...options.env,
  });
  const logs: LogRecord[] = [];
  const revoked = new Set<string>();
  const app = createApp({
    config: { ...config, issuer: TEST_ISSUER },
    bedrock: createBedrockClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
    }),
    key: issuer.keySet,
    isRevoked: (sid) => revoked.has(sid),
    now: () => new Date(),
    log: (record) => logs.push(record),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const close = async () => {
    await emulator.close();
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    emulator,
    issuer,
    token: await issuer.mint(),
    logs,
    revoked,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Posts a minimal Messages API request with `overrides` merged into the body. */
export function postMessages(
  url: string,
  token: string,
  overrides: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    signal,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 32,
      messages: [{ role: "user", content: "Hi" }],
      ...overrides,
    }),
  });
}
