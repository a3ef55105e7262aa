/**
 * Test helper: the real auth service (`auth/app.ts`) on a real socket with an
 * in-memory KV, counting the grants it answers.
 *
 * @module
 */
import {
  type BedrockEmulator,
  type EntraEmulator,
  type EntraEmulatorOptions,
  startBedrockEmulator,
  startEntraEmulator,
} from "@ccgate/emulators";
import { createApp } from "../auth/app.ts";
import { loadAuthConfig } from "../auth/config.ts";
import { RevocationList } from "../auth/revocation_list.ts";
import { openSigningKeys } from "../auth/signing_keys.ts";
import { composeApp, type FetchApp } from "../compose_app.ts";
import { createApp as createGatewayApp } from "../gateway/app.ts";
import { createBedrockClient } from "../gateway/bedrock_client.ts";
import { loadGatewayConfig } from "../gateway/config.ts";

/** A running auth service. */
export interface AuthStack extends AsyncDisposable {
  /** Its URL (the issuer). */
  url: string;
  /** The KV it uses. */
  kv: Deno.Kv;
  /**
   * How many requests with each `grant_type` reached `/oauth/token`, `/oauth/revoke` calls, and
   * requests for the RFC 8414 metadata (`/.well-known/oauth-authorization-server`).
   */
  counts: { exchange: number; refresh: number; revoke: number; metadata: number };
  /** The Entra ID emulator the auth service trusts. */
  entra: EntraEmulator;
  /** The Bedrock emulator behind the gateway, when `gateway: true`. */
  bedrock?: BedrockEmulator;
  /** Every log record auth and gateway wrote. */
  logs: object[];
}

/** Options of {@linkcode startAuthStack}. */
export interface AuthStackOptions {
  /** Extra auth settings (`CCGATE_ACCESS_TTL`, ...). */
  env?: Record<string, string>;
  /**
   * Also mount the gateway (as `main.ts` does: one origin), in front of the
   * Bedrock emulator, verifying with the auth service's keys and revocations.
   */
  gateway?: boolean;
  /**
   * Entra emulator options. @default {autoApprove: false, pollIntervalSeconds: 1}
   * (device codes wait for `entra.approve`)
   */
  entra?: Partial<EntraEmulatorOptions>;
  /**
   * The auth service's clock (refresh rotation, its grace window, token times).
   * @default {() => new Date()}
   */
  now?: () => Date;
}

/**
 * Starts the Entra ID emulator (device codes wait for `entra.approve`) and
 * the auth service trusting it on 127.0.0.1, port 0.
 */
export async function startAuthStack(options: AuthStackOptions = {}): Promise<AuthStack> {
  const entra = await startEntraEmulator({
    autoApprove: false,
    pollIntervalSeconds: 1,
    log: () => {},
    ...options.entra,
  });
  const logs: object[] = [];
  const log = (record: object) => logs.push(record);
  const kv = await Deno.openKv(":memory:");
  const counts = { exchange: 0, refresh: 0, revoke: 0, metadata: 0 };
  let handler: (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> =
    () => new Response("starting", { status: 503 });
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    async (request, info) => {
      const path = new URL(request.url).pathname;
      if (path === "/oauth/token" && request.method === "POST") {
        const grant = new URLSearchParams(await request.clone().text()).get("grant_type");
        if (grant === "refresh_token") counts.refresh++;
        else counts.exchange++;
      }
      if (path === "/oauth/revoke") counts.revoke++;
      if (path === "/.well-known/oauth-authorization-server") counts.metadata++;
      return await handler(request, info);
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const config = loadAuthConfig({
    ...entra.env,
    CCGATE_ISSUER: url,
    CCGATE_TOKEN_RATE_PER_IP: "10000",
    CCGATE_TOKEN_RATE_PER_USER: "10000",
    CCGATE_TOKEN_FAILURES_PER_IP: "10000",
    ...options.env,
  });
  const keys = await openSigningKeys(kv);
  const revocations = new RevocationList({ kv });
  const app = createApp({
    kv,
    keys,
    config,
    now: options.now ?? (() => new Date()),
    fetch,
    log,
    revocations,
  });
  let bedrock: BedrockEmulator | undefined;
  let gateway: FetchApp | undefined;
  if (options.gateway) {
    bedrock = await startBedrockEmulator();
    gateway = createGatewayApp({
      config: { ...loadGatewayConfig({ CCGATE_ISSUER: url }), issuer: url },
      bedrock: createBedrockClient({
        region: "us-east-1",
        endpoint: bedrock.url,
        credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
      }),
      key: keys.getKey,
      isRevoked: (sid) => revocations.isRevoked(sid),
      now: () => new Date(),
      log,
    });
  }
  handler = gateway
    ? composeApp(app, gateway)
    : (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr });
  return {
    url,
    kv,
    counts,
    entra,
    bedrock,
    logs,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
      await bedrock?.close();
      await entra.close();
      revocations[Symbol.dispose]();
      kv.close();
    },
  };
}
