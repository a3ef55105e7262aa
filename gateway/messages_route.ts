import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { toUpstreamError } from "./upstream_error.ts";
import { invokeModel } from "./bedrock_upstream.ts";
import {
  linkClientAbort,
  openUpstreamStream,
  type UpstreamStream,
} from "./open_upstream_stream.ts";
import { readJsonBody } from "./read_json_body.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { droppedHeader } from "./dropped_header.ts";
import {
  DEFAULT_FALLBACK_RULE,
  DEFAULT_MODEL_TABLE,
  resolveModel,
  type ResolveModelOptions,
} from "./model_map.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import { toAnthropicMessage } from "./to_anthropic_message.ts";
import { sseErrorFrame, SseFramer, ssePingFrame } from "./sse_frame.ts";
import { sseStream, type StreamOutcome } from "./sse_stream.ts";

/**
 * `POST /v1/messages` (with or without `?beta=true`): the Anthropic Messages
 * API, answered by Bedrock InvokeModel or InvokeModelWithResponseStream.
 */
export function messagesRoute(deps: GatewayDeps): Handler {
  const { config, bedrock, log, now } = deps;
  const models: ResolveModelOptions = {
    prefix: config.modelPrefix,
    aliases: config.modelAliases,
    allowRawIds: config.allowRawModelIds,
    fallback: config.modelFallback === false ? false : {
      ...DEFAULT_FALLBACK_RULE,
      template: config.modelFallback ?? DEFAULT_FALLBACK_RULE.template,
    },
  };

  return async function messages(c: Context) {
    const started = performance.now();
    const claims = c.get("claims");
    const { value: body } = await readJsonBody(c.req.raw, config.maxBodyBytes, {
      maxDepth: config.limits.maxJsonDepth,
    });
    checkRequestLimits(body, config.limits);
    const requested = typeof body.model === "string" ? body.model : undefined;
    const modelId = resolveModel(requested, DEFAULT_MODEL_TABLE, models);
    const betas = parseAnthropicBeta(c.req.header("anthropic-beta"));
    const translated = toBedrockRequest(body, { modelId, betas, userId: claims.sub });
    if (translated.dropped.length > 0) {
      c.header("x-ccgate-dropped", droppedHeader(translated.dropped));
    }

    const record = (status: number, outcome: string, usage?: unknown) =>
      log({
        level: "info",
        msg: "messages",
        request_id: c.get("requestId"),
        user: claims.sub,
        sid: claims.sid,
        model: requested,
        bedrock_model: modelId,
        stream: body.stream === true,
        status,
        outcome,
        usage,
        latency_ms: Math.round(performance.now() - started),
        at: now().toISOString(),
      });

    if (body.stream !== true) {
      const call = linkClientAbort(c.req.raw.signal);
      try {
        const bytes = await invokeModel(bedrock, {
          modelId,
          body: translated.body,
          signal: call.signal,
        });
        const message = toAnthropicMessage(bytes, { model: requested! });
        record(200, "completed", message.usage);
        return c.body(message.body, 200, { "content-type": "application/json" });
      } catch (err) {
        record(0, "upstream_error");
        throw toUpstreamError(err);
      } finally {
        call.release();
      }
    }

    let upstream: UpstreamStream;
    try {
      upstream = await openUpstreamStream(bedrock, {
        modelId,
        body: translated.body,
        client: c.req.raw.signal,
      });
    } catch (err) {
      record(0, "upstream_error");
      throw toUpstreamError(err);
    }
    const framer = new SseFramer({ model: requested });
    const stream = sseStream(upstream.first, upstream.events, {
      frame: (event) => framer.frame(event),
      errorFrame: (error) => {
        const e = toUpstreamError(error);
        return sseErrorFrame(e.type, e.message);
      },
      pingFrame: ssePingFrame(),
      pingIntervalMs: config.pingIntervalMs,
      abort: upstream.abort,
      onClose: (outcome: StreamOutcome) => {
        upstream.release();
        record(200, outcome.kind, framer.usage);
      },
    });
    return c.body(stream, 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
  };
}
