import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { invokeAdmitted, openAdmittedStream } from "./admitted_upstream.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { midStreamError } from "./mid_stream_error.ts";
import { readRequestJson } from "./read_request_json.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { droppedHeader } from "./dropped_header.ts";
import {
  DEFAULT_MODEL_TABLE,
  recordableModelName,
  resolveModel,
  type ResolveModelOptions,
} from "./model_map.ts";
import { liveModelOptions } from "./model_options.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import { admitRequest } from "./policy/admit_request.ts";
import { toAnthropicMessage } from "./to_anthropic_message.ts";
import { sseErrorFrame, SseFramer, ssePingFrame } from "./sse_frame.ts";
import { sseStream, type StreamOutcome } from "./sse_stream.ts";
import { toolSearchFallback } from "./tool_search_fallback.ts";

/**
 * `POST /v1/messages` (with or without `?beta=true`): the Anthropic Messages
 * API, answered by Bedrock InvokeModel or InvokeModelWithResponseStream.
 */
export function messagesRoute(deps: GatewayDeps): Handler {
  const { config, bedrock } = deps;
  const models = liveModelOptions(config, deps.policyAliases);

  return async function messages(c: Context) {
    const { requested, streamed, modelId, admitted, toolSearch } = await _admit(deps, models, c);
    if (!streamed) {
      const message = await invokeAdmitted(bedrock, c, admitted, modelId, (bytes) => {
        const message = toAnthropicMessage(bytes, { model: requested! });
        return { usage: message.usage, value: message };
      }, { toolSearch });
      return c.body(message.body, 200, { "content-type": "application/json" });
    }

    const upstream = await openAdmittedStream(bedrock, c, admitted, modelId, { toolSearch });
    const framer = new SseFramer({ model: requested });
    const first = upstream.frameFirst((event) => framer.frame(event));
    c.get("record").streaming();
    // The stream's callbacks keep `upstream`, not `admitted` and the request body it holds
    // (tens of KB per open stream; `deno task bench`, memory after a full GC).
    const { observe } = upstream;
    const stream = sseStream(first, upstream.events, {
      frame: (event) => {
        observe(event);
        return framer.frame(event);
      },
      errorFrame: (error) => {
        const e = midStreamError(error);
        return sseErrorFrame(e.type, e.message);
      },
      pingFrame: ssePingFrame(),
      pingIntervalMs: config.pingIntervalMs,
      abort: upstream.abort,
      onClose: (outcome: StreamOutcome) => upstream.close(outcome, framer.usage),
    });
    return c.body(stream, 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
  };
}

/**
 * Reads, checks, translates and admits the request. Its own function, so that
 * the parsed body and the bytes it was parsed from (hundreds of KB for a long
 * conversation) are garbage once the Bedrock body is built: the route's frame
 * waits for Bedrock's first byte, often seconds, and V8 keeps every local of a
 * suspended async function, used again or not.
 */
async function _admit(deps: GatewayDeps, models: () => ResolveModelOptions, c: Context) {
  const claims = c.get("claims");
  const record = c.get("record");
  const { value: body, raw } = await readRequestJson(c, deps.config);
  checkRequestLimits(body, deps.config.limits);
  const requested = typeof body.model === "string" ? body.model : undefined;
  // Named in the request record before the name is resolved, so that the ledger entry of a name
  // nothing maps (404 model_not_found, rolled up as "unknown") says what was asked for, if it
  // looks like a model name.
  const named = recordableModelName(requested);
  if (named !== undefined) record.set({ model: named });
  // The body's own value, so that a `model` of the wrong type is named as such.
  const modelId = resolveModel(
    body.model,
    DEFAULT_MODEL_TABLE,
    models(),
    () => deps.allowedModels?.(claims),
  );
  const streamed = body.stream === true;
  record.set({ model: requested ?? null, bedrockModel: modelId, stream: streamed });
  const betas = parseAnthropicBeta(c.req.header("anthropic-beta"));
  // `raw` is the text `body` was parsed from: untouched parts are copied, not re-serialised.
  const translated = toBedrockRequest(body, {
    modelId,
    betas,
    userId: claims.sub,
    source: raw,
    toolSearch: deps.toolSearchRefusals?.refused(modelId) !== true,
  });
  if (translated.dropped.length > 0) {
    c.header("x-ccgate-dropped", droppedHeader(translated.dropped));
  }
  const admitted = await admitRequest(deps, c, {
    requested,
    modelId,
    source: body,
    body: translated.body,
  });
  // Bedrock's refusal of the tool search forwarded is sent again without it (admitted_upstream.ts).
  const toolSearch = translated.toolSearch
    ? toolSearchFallback(deps, c, modelId, translated.dropped)
    : undefined;
  return { requested, streamed, modelId, admitted, toolSearch };
}
