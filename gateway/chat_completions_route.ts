import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { invokeAdmitted, openAdmittedStream } from "./admitted_upstream.ts";
import { checkRequestLimits } from "./check_request_limits.ts";
import { ChunkUsage } from "./chunk_usage.ts";
import { droppedHeader } from "./dropped_header.ts";
import {
  DEFAULT_MODEL_TABLE,
  recordableModelName,
  resolveModel,
  type ResolveModelOptions,
} from "./model_map.ts";
import { modelMaxOutput } from "./model_max_output.ts";
import { liveModelOptions } from "./model_options.ts";
import { OpenAiChunker } from "./openai_chunker.ts";
import { openAiErrorBody } from "./openai_error_body.ts";
import { chatCompletionRequestSchema } from "./openai_schemas.ts";
import { clientMaxTokens, openAiToAnthropicRequest } from "./openai_to_anthropic_request.ts";
import { parseBody } from "./parse_body.ts";
import { parseBedrockJson } from "./parse_bedrock_json.ts";
import { readRequestJson } from "./read_request_json.ts";
import { sseStream, type StreamOutcome } from "./sse_stream.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import { admitRequest } from "./policy/admit_request.ts";
import { toOpenAiCompletion } from "./to_openai_completion.ts";
import { toUpstreamError } from "./upstream_error.ts";
import { readUsage } from "./usage.ts";

const encoder = new TextEncoder();
/** An SSE comment: keeps a quiet stream open, ignored by OpenAI's SDKs. */
const PING = encoder.encode(": ping\n\n");

/**
 * `POST /v1/chat/completions`: the OpenAI Chat Completions API (streamed
 * and not, with tools) for the company's other tools, translated
 * (`openAiToAnthropicRequest`) to a Messages request and from there along
 * the `/v1/messages` path (`toBedrockRequest`, Bedrock Invoke). Without
 * `max_tokens` (or `max_completion_tokens`), the model's maximum output is
 * asked for, as OpenAI does (`modelMaxOutput`; 4,096 for a model the table
 * does not know), within the policy's limits. Streamed
 * answers are `data: <chunk>` events ending with `data: [DONE]`; a failure
 * after the first byte is a final `data: {"error":...}`. Errors have
 * OpenAI's shape.
 */
export function chatCompletionsRoute(deps: GatewayDeps): Handler {
  const { config, bedrock, now } = deps;
  const models = liveModelOptions(config, deps.policyAliases);

  return async function chatCompletions(c: Context) {
    const { model, streamed, includeUsage, modelId, admitted } = await _admit(deps, models, c);
    const created = Math.floor(now().getTime() / 1000);
    if (!streamed) {
      const completion = await invokeAdmitted(bedrock, c, admitted, modelId, (bytes) => {
        const message = parseBedrockJson(bytes, "a malformed response");
        return {
          usage: readUsage(message?.usage),
          value: toOpenAiCompletion(message, { model, created }),
        };
      });
      return c.json(completion);
    }

    const upstream = await openAdmittedStream(bedrock, c, admitted, modelId);
    // The stream's callbacks keep `upstream`, not `admitted` and the Bedrock body it holds.
    const { observe } = upstream;
    const usage = new ChunkUsage();
    const chunker = new OpenAiChunker({
      model,
      created,
      includeUsage,
    });
    const encode = (bytes: Uint8Array): Uint8Array => {
      usage.read(bytes);
      const event = parseBedrockJson(bytes, "a malformed stream event");
      let text = "";
      for (const chunk of chunker.push(event)) text += `data: ${JSON.stringify(chunk)}\n\n`;
      if (event.type === "message_stop") text += "data: [DONE]\n\n";
      return encoder.encode(text);
    };
    const firstFrame = upstream.frameFirst(encode);
    c.get("record").streaming();
    const stream = sseStream(
      firstFrame.length > 0 ? firstFrame : PING,
      _nonEmpty(upstream.events, (bytes) => {
        observe(bytes);
        return encode(bytes);
      }),
      {
        frame: (frame) => frame,
        errorFrame: (error) => {
          const e = toUpstreamError(error);
          return encoder.encode(`data: ${JSON.stringify(openAiErrorBody(e.type, e.message))}\n\n`);
        },
        pingFrame: PING,
        pingIntervalMs: config.pingIntervalMs,
        abort: upstream.abort,
        onClose: (outcome: StreamOutcome) => upstream.close(outcome, usage.usage),
      },
    );
    return c.body(stream, 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
  };
}

/**
 * Reads, converts, translates and admits the request. Its own function, so
 * that the parsed request is garbage once the Bedrock body is built: the
 * route's frame waits for Bedrock's first byte, often seconds, and would
 * otherwise keep it.
 */
async function _admit(deps: GatewayDeps, models: () => ResolveModelOptions, c: Context) {
  const { config } = deps;
  const claims = c.get("claims");
  const record = c.get("record");
  const { value } = await readRequestJson(c, config);
  const request = parseBody(chatCompletionRequestSchema, value);
  const anthropic = openAiToAnthropicRequest(request);
  checkRequestLimits(anthropic, config.limits);
  // Named in the request record before the name is resolved, so that the ledger entry of a name
  // nothing maps (404 model_not_found, rolled up as "unknown") says what was asked for, if it
  // looks like a model name.
  const named = recordableModelName(request.model);
  if (named !== undefined) record.set({ model: named });
  const modelId = resolveModel(
    request.model,
    DEFAULT_MODEL_TABLE,
    models(),
    () => deps.allowedModels?.(claims),
  );
  const maxTokensDefaulted = clientMaxTokens(request) === undefined;
  // OpenAI's default is the model's maximum output; Bedrock refuses a larger max_tokens, so a
  // model the table does not know keeps the translation's default (what every Claude model
  // takes). The policy caps it.
  const maxOutput = maxTokensDefaulted ? modelMaxOutput(DEFAULT_MODEL_TABLE, modelId) : undefined;
  if (maxOutput !== undefined) anthropic.max_tokens = maxOutput;
  const streamed = request.stream === true;
  record.set({ model: request.model, bedrockModel: modelId, stream: streamed });
  const translated = toBedrockRequest(anthropic, { modelId, betas: [], userId: claims.sub });
  if (translated.dropped.length > 0) {
    c.header("x-ccgate-dropped", droppedHeader(translated.dropped));
  }
  const admitted = await admitRequest(deps, c, {
    requested: request.model,
    modelId,
    source: anthropic,
    body: translated.body,
    maxTokensDefaulted,
  });
  return {
    model: request.model,
    streamed,
    includeUsage: request.stream_options?.include_usage === true,
    modelId,
    admitted,
  };
}

/** The encoded frames of the upstream events, skipping events that send nothing (pings, block ends). */
async function* _nonEmpty(
  events: AsyncIterator<Uint8Array>,
  encode: (bytes: Uint8Array) => Uint8Array,
): AsyncGenerator<Uint8Array> {
  try {
    for (;;) {
      const result = await events.next();
      if (result.done) return;
      const frame = encode(result.value);
      if (frame.length > 0) yield frame;
    }
  } finally {
    await Promise.resolve(events.return?.()).catch(() => {});
  }
}
