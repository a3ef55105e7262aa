import type { Context } from "hono";
import type { GatewayDeps } from "../app.ts";
import { estimateInputTokens } from "../estimate_input_tokens.ts";
import { inSpan } from "../traced.ts";
import type { TokenUsage } from "../usage.ts";
import type { SettleOptions } from "./admission.ts";
import { asksOneHourCache } from "./asks_one_hour_cache.ts";
import type { UpstreamScope } from "./upstream_scope.ts";
import { withMaxTokens } from "./with_max_tokens.ts";

/** Response header set when the policy lowered `max_tokens`: the value sent to Bedrock. */
export const MAX_TOKENS_CAPPED_HEADER = "x-ccgate-max-tokens-capped";

/** What a model route needs to know about one translated request. */
export interface ModelRequest {
  /** The model name the client sent. */
  requested?: string;
  /** The Bedrock id to invoke. */
  modelId: string;
  /** The request body before translation (for the input estimate and `max_tokens`). */
  source: Record<string, unknown>;
  /**
   * `source.max_tokens` is the gateway's default, not the client's (an OpenAI
   * request without one): over the policy's limit it is capped, never refused.
   */
  maxTokensDefaulted?: boolean;
  /** The translated InvokeModel body. */
  body: Uint8Array;
}

/** An admitted request: the body to send (capped if the policy says so) and its settlement. */
export interface AdmittedRequest {
  /** The InvokeModel body to send. */
  body: Uint8Array;
  /** The `max_tokens` sent (after any cap), if the request has one: the most output it can use. */
  maxOutput: number | undefined;
  /**
   * Call once when the request ends (later calls do nothing) with what it
   * used, if anything: Bedrock's count, or for a stream that ended before
   * Bedrock's final usage, the estimate of the stream's `StreamMeter`; with
   * `promptEstimated` when the prompt counts are the gateway's estimate.
   */
  settle: (usage?: TokenUsage, options?: SettleOptions) => void;
  /**
   * With a policy: the region × Bedrock ids its catalogue entries allow, the
   * only upstreams failover may try (data residency). Without one, absent:
   * the gateway's configuration decides.
   */
  upstreams?: UpstreamScope;
}

/** Settles nothing: no policy applies. */
const NO_POLICY = () => {};

/**
 * The policy step of a model route, between translation and the Bedrock
 * call: admits the request through `deps.policy` (throwing the typed error
 * of a broken rule), applies a `max_tokens` cap to the body (and says so in
 * `x-ccgate-max-tokens-capped`), and returns the settlement. Without a
 * policy it admits everything and settles nothing.
 *
 * @param deps The gateway's dependencies.
 * @param c The request context (claims, response headers).
 * @param request Model, source body, translated body.
 * @returns The body to send and the settle function.
 */
export async function admitRequest(
  deps: GatewayDeps,
  c: Context,
  request: ModelRequest,
): Promise<AdmittedRequest> {
  const maxTokens = typeof request.source.max_tokens === "number"
    ? request.source.max_tokens
    : undefined;
  if (deps.policy === undefined) {
    return { body: request.body, maxOutput: maxTokens, settle: NO_POLICY };
  }
  const policy = deps.policy;
  const admission = await inSpan("policy", () =>
    policy.admit({
      subject: c.get("claims"),
      requested: request.requested,
      modelId: request.modelId,
      maxTokens,
      maxTokensDefaulted: request.maxTokensDefaulted,
      inputTokens: () => estimateInputTokens(request.source),
      oneHourCache: () => asksOneHourCache(request.source),
    }));
  const { settle, cappedMaxTokens, upstreams } = admission;
  if (cappedMaxTokens === undefined) {
    return { body: request.body, maxOutput: maxTokens, settle, upstreams };
  }
  c.header(MAX_TOKENS_CAPPED_HEADER, String(cappedMaxTokens));
  try {
    return {
      body: withMaxTokens(request.body, cappedMaxTokens),
      maxOutput: cappedMaxTokens,
      settle,
      upstreams,
    };
  } catch (err) {
    admission.settle();
    throw err;
  }
}
