import type { Context, Handler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { openAdmittedStream } from "./admitted_upstream.ts";
import { bedrockAnswerHeaders } from "./bedrock_answer_headers.ts";
import type { BedrockAnswerMeta } from "./bedrock_upstream.ts";
import { bedrockChunkFrame, bedrockExceptionFrame } from "./bedrock_event_frames.ts";
import { bedrockExceptionOf } from "./bedrock_exception_of.ts";
import { midStreamError } from "./mid_stream_error.ts";
import { ChunkUsage } from "./chunk_usage.ts";
import { admitNativeInvocation } from "./prepare_native_invocation.ts";
import { sseStream, type StreamOutcome } from "./sse_stream.ts";
import { toUpstreamError } from "./upstream_error.ts";

/**
 * `POST /model/{modelId}/invoke-with-response-stream`: Bedrock
 * InvokeModelWithResponseStream for Bedrock-native clients, with the ccgate
 * token as bearer. The body is sanitised like `/v1/messages` and re-signed
 * by the AWS SDK, sent with the client's invocation headers (service tier,
 * latency, guardrail, trace) and answered with Bedrock's response headers
 * (`bedrockAnswerHeaders`); the answer is streamed back as
 * `application/vnd.amazon.eventstream`, one `chunk` frame per Bedrock chunk
 * the moment it arrives (each chunk's bytes re-encoded as Bedrock encodes
 * them). A failure after the first chunk ends the stream with an exception
 * frame (`modelStreamErrorException`, `throttlingException`, ...), which the
 * AWS SDK throws. Usage is read from the chunks on the way.
 */
export function bedrockInvokeStreamRoute(deps: GatewayDeps): Handler {
  const admit = admitNativeInvocation(deps, true);
  const { bedrock } = deps;

  return async function bedrockInvokeStream(c: Context) {
    const { modelId, admitted, options, toolSearch } = await admit(c);
    let meta: BedrockAnswerMeta | undefined;
    const answered = (m: BedrockAnswerMeta) => {
      meta = m;
      if (m.serviceTier !== undefined) c.get("record").set({ serviceTier: m.serviceTier });
    };
    const usage = new ChunkUsage();
    const upstream = await openAdmittedStream(bedrock, c, admitted, modelId, {
      options,
      answered,
      toolSearch,
    });
    const { observe } = upstream;
    const first = upstream.frameFirst((chunk) => {
      usage.read(chunk);
      return bedrockChunkFrame(chunk);
    });
    c.get("record").streaming();
    const body = sseStream(first, upstream.events, {
      frame: (chunk) => {
        usage.read(chunk);
        observe(chunk);
        return bedrockChunkFrame(chunk);
      },
      errorFrame: (error) => {
        const e = toUpstreamError(error);
        const cause = e.cause instanceof Error ? e.cause.name : undefined;
        // The message a stream can carry: no "retry after the indicated delay" for throttling.
        return bedrockExceptionFrame(
          bedrockExceptionOf(e.status, e.type, cause).streamType,
          midStreamError(e).message,
        );
      },
      abort: upstream.abort,
      onClose: (outcome: StreamOutcome) => upstream.close(outcome, usage.usage),
    });
    return c.body(body, 200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-bedrock-content-type": "application/json",
      ...bedrockAnswerHeaders(c.get("requestId"), meta),
    });
  };
}
