import type { Context } from "hono";
import type { GatewayDeps } from "./app.ts";
import {
  type BedrockInvokeOptions,
  GUARDRAIL_CONFIG_FIELD,
  readBedrockInvokeOptions,
} from "./bedrock_invoke_options.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { ServiceTierNotAllowedError } from "./errors.ts";
import { droppedHeader } from "./dropped_header.ts";
import { DEFAULT_MODEL_TABLE, listModels, MAX_MODEL_CHARS, resolveModel } from "./model_map.ts";
import { liveModelValue } from "./model_options.ts";
import { admitRequest, type AdmittedRequest } from "./policy/admit_request.ts";
import { readRequestJson } from "./read_request_json.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import { type ToolSearchFallback, toolSearchFallback } from "./tool_search_fallback.ts";
import { withGuardrailConfig } from "./with_guardrail_config.ts";

/** A Bedrock-native request, ready for `bedrock_upstream.ts`. */
export interface NativeInvocation {
  /** The model id from the path, as the client sent it. */
  requested: string;
  /** The Bedrock id the gateway invokes. */
  modelId: string;
  /** The sanitised InvokeModel body. */
  body: Uint8Array;
  /** The body as the client sent it, decoded (for the policy's input estimate and `max_tokens`). */
  source: Record<string, unknown>;
  /** Bedrock's invocation headers the client sent (service tier, guardrail, ...), checked. */
  options: BedrockInvokeOptions;
  /** Whether `body` forwarded tool search (see `toBedrockRequest`). */
  toolSearch: boolean;
  /** What the translation dropped (the response's `x-ccgate-dropped`). */
  dropped: readonly string[];
}

/** Prepares one request; `body` when the route already decoded it (count-tokens). */
export type PrepareNativeInvocation = (
  c: Context,
  body?: Record<string, unknown>,
) => Promise<NativeInvocation>;

/** A Bedrock-native request admitted by the policy: what its Bedrock call needs, not its body. */
export interface AdmittedInvocation {
  /** The Bedrock id the gateway invokes. */
  modelId: string;
  /** The body to send and its settlement. */
  admitted: AdmittedRequest;
  /** Bedrock's invocation headers the client sent, for the SDK command (`BedrockInvocation.options`). */
  options: BedrockInvokeOptions;
  /** The tool search safety net, when the body forwarded tool search (`InvokeExtras.toolSearch`). */
  toolSearch?: ToolSearchFallback;
}

const PROFILE_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;

/**
 * The preparation of `POST /model/{modelId}/invoke`,
 * `/invoke-with-response-stream` and `/count-tokens` requests:
 *
 * - the model id in the path is mapped to what this deployment offers: a
 *   Claude model of the built-in table under any inference profile prefix
 *   becomes the deployment's own id for it (Claude Code falls back to `us.`
 *   ids when the profile list does not name a model), and so does a Claude
 *   inference profile of a model the table does not know yet (a release newer
 *   than ccgate: `us.anthropic.claude-opus-9` is invoked as
 *   `eu.anthropic.claude-opus-9` behind `CCGATE_MODEL_PREFIX=eu`, as the
 *   foundation id with `none`), so that the call stays in the deployment's
 *   geography; anything else goes through `resolveModel`, exactly like
 *   `model` on `/v1/messages`;
 * - the already Bedrock-shaped body goes through the same sanitiser as
 *   `/v1/messages` (`toBedrockRequest`): betas and fields Bedrock would
 *   reject are dropped and listed in `x-ccgate-dropped`, `metadata.user_id`
 *   becomes the verified user. The `anthropic-beta` HTTP header is ignored,
 *   as Bedrock ignores it: only the body's `anthropic_beta` counts; tool
 *   search is forwarded as there (not for count-tokens), with its safety net;
 * - Bedrock's invocation headers (`X-Amzn-Bedrock-Service-Tier`,
 *   `-PerformanceConfig-Latency`, `-GuardrailIdentifier`, `-GuardrailVersion`,
 *   `-Trace`) are checked as Bedrock checks them (`readBedrockInvokeOptions`)
 *   and returned for the SDK command; with a guardrail, the body's
 *   `amazon-bedrock-guardrailConfig` is kept. A service tier the deployment
 *   does not allow (`CCGATE_BEDROCK_SERVICE_TIERS`) is refused (403
 *   `AccessDeniedException`); the tier asked for goes in the request record
 *   (the ledger entry's `serviceTier`) until Bedrock says which tier served.
 *
 * @param deps The gateway's dependencies.
 * @returns The preparer.
 */
export function prepareNativeInvocation(deps: GatewayDeps): PrepareNativeInvocation {
  const models = liveModelValue(deps.config, deps.policyAliases, (options) => {
    const byFoundation = new Map<string, string>();
    for (const model of listModels(DEFAULT_MODEL_TABLE, options)) {
      const foundation = model.modelId.replace(PROFILE_PREFIX, "");
      if (!byFoundation.has(foundation)) byFoundation.set(foundation, model.modelId);
    }
    return { options, byFoundation };
  });
  return async function prepare(c, given) {
    const requested = c.req.param("modelId") ?? "";
    // Named in the request record before anything can refuse the request (body, model, policy),
    // so that a refusal's ledger entry says which model was asked for.
    const record = c.get("record");
    record?.set({ model: requested.slice(0, MAX_MODEL_CHARS) || null });
    const body = given ?? (await readRequestJson(c, deps.config)).value;
    // CountTokens (a `given` body) takes no invocation headers: its body is only counted.
    const invoke = given === undefined ? readBedrockInvokeOptions(c.req.raw.headers, body) : {};
    if (invoke.serviceTier !== undefined) {
      record?.set({ serviceTier: invoke.serviceTier });
      _checkServiceTier(invoke.serviceTier, deps.config.bedrockServiceTiers);
    }
    checkRequestLimits(body, deps.config.limits);
    const { options, byFoundation } = models();
    const modelId = byFoundation.get(requested.replace(PROFILE_PREFIX, "")) ??
      _inDeploymentGeography(requested, options.prefix) ??
      resolveModel(
        requested,
        DEFAULT_MODEL_TABLE,
        options,
        () => deps.allowedModels?.(c.get("claims")),
      );
    record?.set({ bedrockModel: modelId });
    const translated = toBedrockRequest(body, {
      modelId,
      betas: [],
      userId: c.get("claims").sub,
      // Token counting keeps the conservative translation; a model Bedrock refused tool search
      // for lately goes without it at once.
      toolSearch: given === undefined && deps.toolSearchRefusals?.refused(modelId) !== true,
    });
    const guardrailConfig = body[GUARDRAIL_CONFIG_FIELD];
    const kept = invoke.guardrailIdentifier !== undefined && guardrailConfig !== undefined;
    const dropped = kept
      ? translated.dropped.filter((d) => d !== `field:${GUARDRAIL_CONFIG_FIELD}`)
      : translated.dropped;
    if (dropped.length > 0) c.header("x-ccgate-dropped", droppedHeader(dropped));
    const sent = kept ? withGuardrailConfig(translated.body, guardrailConfig) : translated.body;
    return {
      requested,
      modelId,
      body: sent,
      source: body,
      options: invoke,
      toolSearch: translated.toolSearch,
      dropped,
    };
  };
}

/**
 * Prepares (see {@linkcode prepareNativeInvocation}) and admits
 * (`admitRequest`) one invocation; the request record has its stream flag,
 * the model id of the path (at most `MAX_MODEL_CHARS` characters, even when
 * the request is refused) and, once resolved, the Bedrock id. The parsed
 * body is garbage once this returns: the route waits for Bedrock's first
 * byte, often seconds, and would otherwise keep it.
 *
 * @param deps Settings, model table, policy.
 * @param stream Whether the route streams (for the request record).
 * @returns The function a route calls with its context.
 */
export function admitNativeInvocation(
  deps: GatewayDeps,
  stream: boolean,
): (c: Context) => Promise<AdmittedInvocation> {
  const prepare = prepareNativeInvocation(deps);
  return async function admit(c) {
    c.get("record").set({ stream });
    const { requested, modelId, body, source, options, toolSearch, dropped } = await prepare(c);
    const admitted = await admitRequest(deps, c, { requested, modelId, body, source });
    const fallback = toolSearch ? toolSearchFallback(deps, c, modelId, dropped) : undefined;
    return { modelId, admitted, options, toolSearch: fallback };
  };
}

/** Refuses a tier outside the deployment's list (`default`, the standard tier, always passes). */
function _checkServiceTier(tier: string, allowed: readonly string[] | undefined): void {
  if (allowed === undefined || tier === "default" || allowed.includes(tier)) return;
  throw new ServiceTierNotAllowedError(
    tier,
    allowed.includes("default") ? allowed : ["default", ...allowed],
  );
}

/** A Claude foundation model id, once a profile's prefix (`PROFILE_PREFIX`) is taken off. */
const CLAUDE_FOUNDATION = /^anthropic\.claude-[a-z0-9.:-]+$/;

/**
 * A Claude inference profile id (`us.anthropic.claude-...`) under the
 * deployment's prefix instead of its own (the foundation id for `none`), or
 * `undefined` when `requested` is no such id. Pure.
 */
function _inDeploymentGeography(requested: string, prefix = "us"): string | undefined {
  // Longer ones are resolveModel's 400.
  if (requested.length > MAX_MODEL_CHARS || !PROFILE_PREFIX.test(requested)) return undefined;
  const foundation = requested.replace(PROFILE_PREFIX, "");
  if (!CLAUDE_FOUNDATION.test(foundation)) return undefined;
  return prefix === "none" ? foundation : `${prefix}.${foundation}`;
}
