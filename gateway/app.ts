import { Hono } from "hono";
import { registerAdminRoutes } from "./admin/admin_routes.ts";
import type { BudgetOverrides } from "./admin/budget_overrides.ts";
import type { UsageLedger } from "./ledger/usage_ledger.ts";
import { metricsRoute } from "./metrics_route.ts";
import { requestRecord } from "./request_record.ts";
import { traced } from "./traced.ts";
import type { AccessTokenClaims, AccessTokenKey } from "@ccgate/client";
import { authenticate } from "./authenticate.ts";
import { bedrockCountTokensRoute } from "./bedrock_count_tokens_route.ts";
import { bedrockInvokeRoute } from "./bedrock_invoke_route.ts";
import { bedrockInvokeStreamRoute } from "./bedrock_invoke_stream_route.ts";
import { chatCompletionsRoute } from "./chat_completions_route.ts";
import { countTokensRoute } from "./count_tokens_route.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import { DISCOVERY_PATH, gatewayDiscoveryRoute } from "./gateway_discovery_route.ts";
import { inferenceProfilesRoute } from "./inference_profiles_route.ts";
import { claudeCodeAliasesRoute } from "./claude_code_aliases_route.ts";
import { installRoute } from "./install_route.ts";
import type { ListedModel } from "./model_map.ts";
import type { PriceOf } from "./model_price.ts";
import { modelsRoute } from "./models_route.ts";
import type { BedrockClient } from "./bedrock_upstream.ts";
import type { GatewayConfig } from "./config.ts";
import { MethodNotAllowedError, RouteNotFoundError } from "./errors.ts";
import { allowedMethods } from "./allowed_methods.ts";
import type { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { headerLimit } from "./header_limit.ts";
import { lazyHandler } from "./lazy_handler.ts";
import { loadShedding } from "./load_shedding.ts";
import type { Log } from "./log.ts";
import { messagesRoute } from "./messages_route.ts";
import { onError } from "./on_error.ts";
import { policyDeps } from "./policy/policy_deps.ts";
import type { PolicyEngine } from "./policy/policy_engine.ts";
import { type ReadinessCheck, readyzRoute } from "./readyz_route.ts";
import { requestId } from "./request_id.ts";
import { VerifiedTokenCache } from "./verified_token_cache.ts";
import { timing } from "hono/timing";
import { gatewayTimer } from "./upstream_timing.ts";
import type { LiveAliases } from "./model_options.ts";
import { ToolSearchRefusals } from "./tool_search_refusals.ts";

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
  /**
   * The auth service's URL where this gateway is deployed apart from it
   * (`gateway/main.ts`): the discovery path then names it, so the CLI signs in
   * from the gateway's URL. Absent (`main.ts`): the auth app answers that path.
   */
  discoveryIssuer?: string;
  /** The clock. */
  now: () => Date;
  /** Structured log sink. */
  log: Log;
  /** Readiness checks for `/readyz` (config, KV, Bedrock reachability). */
  readiness?: ReadinessCheck[];
  /**
   * Load shedding and graceful shutdown: the same lifecycle the Bedrock
   * client (`FailoverBedrock`) admits its calls through. Absent: no shedding.
   */
  lifecycle?: GatewayLifecycle;
  /** In-process counters (e.g. estimated token counts); absent: nothing is counted. */
  metrics?: GatewayMetrics;
  /**
   * Model aliases from the policy file (its `models:` names, in the primary
   * region), followed across reloads; `CCGATE_MODELS` wins over them.
   */
  policyAliases?: LiveAliases;
  /**
   * Policy seam: which of the offered models a user may use, as a filter
   * built from the token's claims. Absent: every offered model.
   */
  allowedModels?: (claims: AccessTokenClaims) => (model: ListedModel) => boolean;
  /** Prices of Bedrock models (from the policy file), for costs in the ledger and budgets. */
  priceOf?: PriceOf;
  /**
   * The policy (`CCGATE_POLICY`): admission of model requests (allowlist,
   * `max_tokens`, rate, concurrency, budgets) and, unless given separately,
   * `allowedModels` and `priceOf`. Absent: no policy.
   */
  policy?: PolicyEngine;
  /**
   * The usage ledger: one entry per model request, written to KV off the hot
   * path; the admin API reads it. Absent: requests are only logged.
   */
  ledger?: UsageLedger;
  /**
   * Admin budget overrides (`/admin/api/budget-overrides`); the policy
   * engine's holder must apply them (`withBudgetOverrides`). Absent: the
   * admin API cannot set overrides.
   */
  budgetOverrides?: BudgetOverrides;
  /**
   * Model ids Bedrock refused tool search for lately (the tool search safety
   * net, `sendWithToolSearchFallback`). Absent: one in memory for this app,
   * remembering each refusal for an hour by `now`.
   */
  toolSearchRefusals?: ToolSearchRefusals;
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
  if (deps.policy) deps = policyDeps(deps, deps.policy);
  deps = {
    ...deps,
    toolSearchRefusals: deps.toolSearchRefusals ?? new ToolSearchRefusals({ now: deps.now }),
  };
  const app = new Hono();
  const auth = traced(
    "verify",
    authenticate({
      key: deps.key,
      issuer: deps.config.issuer,
      audience: deps.config.audience,
      clockSkewSeconds: deps.config.clockSkewSeconds,
      now: deps.now,
      isRevoked: deps.isRevoked,
      cache: new VerifiedTokenCache(),
    }),
  );

  // Server-Timing on every answer: `total`, and on model routes `gateway` (ccgate's own work
  // before the Bedrock call) and `bedrock` (from sending to the first byte).
  app.use(timing({ totalDescription: "ccgate, to the first byte when streamed" }));
  app.use(gatewayTimer);
  app.use(requestId(deps.now));
  app.use(headerLimit(deps.config.limits.maxHeaderBytes));
  if (deps.lifecycle) app.use(loadShedding(deps.lifecycle));
  app.get("/", (c) => c.json({ service: "ccgate", api: "anthropic-messages" }));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", readyzRoute(deps.readiness ?? []));
  app.get("/metrics", metricsRoute(deps.metrics, { token: deps.config.metricsToken }));
  app.post("/v1/messages", auth, requestRecord(deps, "messages"), messagesRoute(deps));
  app.post(
    "/v1/messages/count_tokens",
    auth,
    requestRecord(deps, "count_tokens", { ledger: false }),
    countTokensRoute(deps),
  );
  app.get("/v1/models/:id?", auth, modelsRoute(deps));
  app.post(
    "/v1/chat/completions",
    auth,
    requestRecord(deps, "chat_completions"),
    chatCompletionsRoute(deps),
  );
  app.get("/inference-profiles", inferenceProfilesRoute(deps));
  app.get("/claude-code/aliases", auth, claudeCodeAliasesRoute(deps));
  if (deps.discoveryIssuer !== undefined) {
    app.on(["GET", "HEAD"], DISCOVERY_PATH, gatewayDiscoveryRoute(deps.discoveryIssuer));
  }
  app.post(
    "/model/:modelId/invoke",
    auth,
    requestRecord(deps, "bedrock_invoke"),
    bedrockInvokeRoute(deps),
  );
  app.post(
    "/model/:modelId/invoke-with-response-stream",
    auth,
    requestRecord(deps, "bedrock_invoke_stream"),
    bedrockInvokeStreamRoute(deps),
  );
  app.post("/model/:modelId/count-tokens", auth, bedrockCountTokensRoute(deps));
  // Built on first use: the OpenAPI document costs milliseconds of start-up to build.
  app.get(
    "/openapi.json",
    lazyHandler(async () => (await import("./openapi_route.ts")).openApiRoute()),
  );
  app.get("/docs", lazyHandler(async () => (await import("./docs_route.ts")).docsRoute()));
  if (deps.config.installDir) {
    app.on(["GET", "HEAD"], "/install/*", installRoute(deps.config.installDir));
  }
  registerAdminRoutes(app, deps, auth);
  app.notFound((c) => {
    const methods = allowedMethods(app, c.req.path);
    if (methods.length > 0) throw new MethodNotAllowedError(c.req.method, c.req.path, methods);
    throw new RouteNotFoundError(c.req.method, c.req.path);
  });
  app.onError(onError(deps.log, deps.metrics, { now: () => deps.now().getTime() }));
  return app;
}
