import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { countTokensRequestSchema } from "./anthropic_schemas.ts";
import { countTokens } from "./bedrock_upstream.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { droppedHeader } from "./dropped_header.ts";
import { estimateInputTokens } from "./estimate_input_tokens.ts";
import { DEFAULT_MODEL_TABLE, resolveModel } from "./model_map.ts";
import { liveModelOptions } from "./model_options.ts";
import { parseBody } from "./parse_body.ts";
import { readRequestJson } from "./read_request_json.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import { toUpstreamError } from "./upstream_error.ts";

/** Response header saying where a count came from: `bedrock` or `estimated`. */
export const TOKEN_COUNT_HEADER = "x-ccgate-token-count";

const UNSUPPORTED = /doesn'?t support counting tokens|does not support counting tokens/i;
/** Models remembered as unable to count (bounded: ids come from clients). */
const MAX_REMEMBERED = 256;

/**
 * `POST /v1/messages/count_tokens` (with or without `?beta=true`): the body
 * (system, tools and messages included) is translated like a Messages
 * request and counted by Bedrock CountTokens. When Bedrock says the model
 * cannot count tokens, the answer is {@linkcode estimateInputTokens}'s
 * estimate, which errs high, flagged by `x-ccgate-token-count: estimated`
 * and the `ccgate_count_tokens_estimated_total` counter; such a model is
 * remembered and not asked again.
 */
export function countTokensRoute(deps: GatewayDeps): Handler {
  const { config, bedrock, metrics } = deps;
  const models = liveModelOptions(config, deps.policyAliases);
  const cannotCount = new Set<string>();

  return async function countTokensHandler(c: Context) {
    const record = c.get("record");
    const { value } = await readRequestJson(c, config);
    checkRequestLimits(value, config.limits);
    const body = parseBody(countTokensRequestSchema, value);
    const modelId = resolveModel(
      body.model,
      DEFAULT_MODEL_TABLE,
      models(),
      () => deps.allowedModels?.(c.get("claims")),
    );
    deps.policy?.checkModel(c.get("claims"), modelId, body.model);
    record.set({ model: body.model, bedrockModel: modelId });
    const budget = body.thinking?.type === "enabled" ? body.thinking.budget_tokens ?? 0 : 0;
    // CountTokens takes an InvokeModel body, which requires max_tokens (and more than the budget).
    const translated = toBedrockRequest({ ...body, max_tokens: budget + 1, stream: undefined }, {
      modelId,
      betas: parseAnthropicBeta(c.req.header("anthropic-beta")),
      // A count cannot apply an edit either way: it counts what is sent.
      unsupportedEdits: "drop",
      // Counted as before tool search was forwarded (every tool: errs high), with no refusal to
      // recover from.
      toolSearch: false,
    });
    if (translated.dropped.length > 0) {
      c.header("x-ccgate-dropped", droppedHeader(translated.dropped));
    }
    const estimate = () => {
      metrics?.increment("ccgate_count_tokens_estimated_total", { model: modelId });
      const inputTokens = estimateInputTokens(body);
      record.set({ note: { source: "estimated", counted_input_tokens: inputTokens } });
      c.header(TOKEN_COUNT_HEADER, "estimated");
      return c.json({ input_tokens: inputTokens });
    };
    if (cannotCount.has(modelId)) return estimate();
    let inputTokens: number;
    try {
      inputTokens = await countTokens(bedrock, {
        modelId,
        body: translated.body,
        signal: c.req.raw.signal,
        requestId: c.get("requestId"),
      });
    } catch (err) {
      if (
        err instanceof Error && err.name === "ValidationException" && UNSUPPORTED.test(err.message)
      ) {
        if (cannotCount.size < MAX_REMEMBERED) cannotCount.add(modelId);
        return estimate();
      }
      throw toUpstreamError(err);
    }
    metrics?.increment("ccgate_count_tokens_counted_total", { model: modelId });
    record.set({ note: { source: "bedrock", counted_input_tokens: inputTokens } });
    c.header(TOKEN_COUNT_HEADER, "bedrock");
    return c.json({ input_tokens: inputTokens });
  };
}
