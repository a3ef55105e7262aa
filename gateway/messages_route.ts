import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { toUpstreamError } from "./upstream_error.ts";
import { invokeModel, invokeModelStream } from "./bedrock_upstream.ts";
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

    const upstream = new AbortController();
    const clientSignal = c.req.raw.signal;
    const onClientAbort = () => upstream.abort();
    clientSignal.addEventListener("abort", onClientAbort, { once: true });
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
      try {
        const bytes = await invokeModel(bedrock, {
          modelId,
          body: translated.body,
          signal: upstream.signal,
        });
        const message = toAnthropicMessage(bytes, { model: requested! });
        record(200, "completed", message.usage);
        return c.body(message.body, 200, { "content-type": "application/json" });
      } catch (err) {
        record(0, "upstream_error");
        throw toUpstreamError(err);
      } finally {
        clientSignal.removeEventListener("abort", onClientAbort);
      }
    }

    let events: AsyncIterator<Uint8Array>;
    let first: IteratorResult<Uint8Array>;
    try {
      events = await invokeModelStream(bedrock, {
        modelId,
        body: translated.body,
        signal: upstream.signal,
      });
      first = await events.next();
    } catch (err) {
      clientSignal.removeEventListener("abort", onClientAbort);
      record(0, "upstream_error");
      throw toUpstreamError(err);
    }
    if (first.done) {
      clientSignal.removeEventListener("abort", onClientAbort);
      throw toUpstreamError(new Error("Bedrock closed the stream without an event"));
    }
    const framer = new SseFramer({ model: requested });
    const stream = sseStream(first.value, events, {
      frame: (event) => framer.frame(event),
      errorFrame: (error) => {
        const e = toUpstreamError(error);
        return sseErrorFrame(e.type, e.message);
      },
      pingFrame: ssePingFrame(),
      pingIntervalMs: config.pingIntervalMs,
      abort: () => upstream.abort(),
      onClose: (outcome: StreamOutcome) => {
        clientSignal.removeEventListener("abort", onClientAbort);
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
