import { Hono } from "hono";
import type { AccessTokenKey } from "@ccgate/client";
import { authenticate } from "./authenticate.ts";
import type { BedrockClient } from "./bedrock_upstream.ts";
import type { GatewayConfig } from "./config.ts";
import { RouteNotFoundError } from "./errors.ts";
import type { Log } from "./log.ts";
import { messagesRoute } from "./messages_route.ts";
import { onError } from "./on_error.ts";
import { type ReadinessCheck, readyzRoute } from "./readyz_route.ts";
import { requestId } from "./request_id.ts";
import { VerifiedTokenCache } from "./verified_token_cache.ts";

/** Everything the gateway needs from the outside world. */
export interface GatewayDeps {
  /** Validated configuration; `issuer` must be known by now. */
  config: GatewayConfig & { issuer: string };
  /** The Bedrock Runtime client (the real AWS SDK client). */
  bedrock: BedrockClient;
  /** Keys that verify ccgate access tokens. */
  key: AccessTokenKey;
  /** Whether a session was revoked, answered from memory. */
  isRevoked?: (sid: string) => boolean;
  /** The clock. */
  now: () => Date;
  /** Structured log sink. */
  log: Log;
  /** Readiness checks for `/readyz` (config, KV, Bedrock reachability). */
  readiness?: ReadinessCheck[];
}

/**
 * Builds the gateway: the Anthropic Messages API in front of Bedrock.
 *
 * @example
 * ```ts ignore
 * const app = createApp(deps);
 * Deno.serve(app.fetch);
 * ```
 */
export function createApp(deps: GatewayDeps): Hono {
  const app = new Hono();
  const auth = authenticate({
    key: deps.key,
    issuer: deps.config.issuer,
    audience: deps.config.audience,
    clockSkewSeconds: deps.config.clockSkewSeconds,
    now: deps.now,
    isRevoked: deps.isRevoked,
    cache: new VerifiedTokenCache(),
  });

  app.use(requestId());
  app.get("/", (c) => c.json({ service: "ccgate", api: "anthropic-messages" }));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", readyzRoute(deps.readiness ?? []));
  app.post("/v1/messages", auth, messagesRoute(deps));
  app.notFound((c) => {
    throw new RouteNotFoundError(c.req.method, c.req.path);
  });
  app.onError(onError(deps.log));
  return app;
}
