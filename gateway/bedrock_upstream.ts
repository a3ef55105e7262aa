import {
  type BedrockRuntimeClient,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ResponseStream,
} from "@aws-sdk/client-bedrock-runtime";
import type { BedrockInvokeOptions } from "./bedrock_invoke_options.ts";
import { MalformedUpstreamError } from "./errors.ts";
import type { MemoryReservation } from "./gateway_lifecycle.ts";

/** One call to Bedrock's InvokeModel(WithResponseStream). */
export interface BedrockInvocation {
  /** Bedrock model id or inference profile id/ARN. */
  modelId: string;
  /** The Bedrock request body (JSON). */
  body: Uint8Array;
  /** Aborts the call (client went away). */
  signal: AbortSignal;
  /**
   * Told which region (and model id or profile) answered, once one has:
   * `FailoverBedrock` calls it; a plain SDK client ignores it.
   */
  served?: Served;
  /**
   * Called as each attempt's HTTP request goes out (after signing), by the
   * gateway's HTTP handler (`DenoFetchHandler`): the end of the gateway's own
   * work before Bedrock (the `Server-Timing` header).
   */
  sending?: () => void;
  /**
   * The memory held for the request (see `loadShedding`): `FailoverBedrock`'s
   * admission takes it over for the call's lifetime.
   */
  reservation?: MemoryReservation;
  /**
   * The only region × model ids the call may go to (an admitted request's
   * `upstreams`: the policy's catalogue entry): `FailoverBedrock` skips the
   * others; a plain SDK client ignores it. Absent: no limit.
   */
  upstreams?: (region: string, modelId: string) => boolean;
  /**
   * The gateway's id of the request the call is made for (`request_id` on
   * the request's log line): `FailoverBedrock` puts it on its log lines
   * about the call's attempts; a plain SDK client ignores it.
   */
  requestId?: string;
  /**
   * Bedrock's invocation options the client asked for (service tier,
   * latency, guardrail, trace: see `readBedrockInvokeOptions`), added to the
   * InvokeModel(WithResponseStream) command's input, so that every
   * `FailoverBedrock` attempt carries them. CountTokens takes none.
   */
  options?: BedrockInvokeOptions;
  /**
   * Told what Bedrock's answer to InvokeModel(WithResponseStream) said about
   * itself, once it arrived (its headers; for a stream, with its first
   * event). Not called for CountTokens or a failed call.
   */
  answered?: (meta: BedrockAnswerMeta) => void;
}

/** Receives the upstream that answered a call: its AWS region and the model id or profile invoked. */
export type Served = (region: string, modelId: string | undefined) => void;

/** What Bedrock's answer to an invocation said about itself (its response headers, as the SDK read them). */
export interface BedrockAnswerMeta {
  /** `X-Amzn-Bedrock-Service-Tier`: the tier that served the request, when Bedrock said. */
  serviceTier?: string;
  /** `X-Amzn-Bedrock-PerformanceConfig-Latency`, when Bedrock said. */
  performanceConfigLatency?: string;
  /** `x-amzn-RequestId` of the Bedrock call that answered. */
  requestId?: string;
  /** Milliseconds from sending the command to its response (headers), failover attempts included. */
  latencyMs: number;
}

/**
 * The options `send` gets: the SDK's abort signal, `served`, `reservation`,
 * `upstreams` and `requestId` for `FailoverBedrock`, `sending` for the HTTP
 * handler (the SDK hands its send options to the handler as they are).
 */
function _sendOptions(invocation: BedrockInvocation): { abortSignal: AbortSignal } {
  const { signal, served, sending, reservation, upstreams, requestId } = invocation;
  return { abortSignal: signal, served, sending, reservation, upstreams, requestId } as {
    abortSignal: AbortSignal;
  };
}

/** The input of InvokeModel(WithResponseStream): the call's model and body, and its options. */
function _invokeInput(invocation: BedrockInvocation) {
  return {
    modelId: invocation.modelId,
    body: invocation.body,
    contentType: "application/json",
    accept: "application/json",
    ...invocation.options,
  };
}

/** Tells `answered` what the output says about itself; `started` is when the command was sent. */
function _answered(
  answered: (meta: BedrockAnswerMeta) => void,
  output: {
    serviceTier?: string;
    performanceConfigLatency?: string;
    $metadata?: { requestId?: string };
  },
  started: number,
): void {
  const meta: BedrockAnswerMeta = {
    latencyMs: Math.max(0, Math.round(performance.now() - started)),
  };
  if (typeof output.serviceTier === "string") meta.serviceTier = output.serviceTier;
  if (typeof output.performanceConfigLatency === "string") {
    meta.performanceConfigLatency = output.performanceConfigLatency;
  }
  const requestId = output.$metadata?.requestId;
  if (typeof requestId === "string") meta.requestId = requestId;
  answered(meta);
}

/**
 * The part of the AWS SDK client the gateway uses; the real
 * `BedrockRuntimeClient` satisfies it.
 */
export type BedrockClient = Pick<BedrockRuntimeClient, "send">;

/**
 * Calls InvokeModel (with the invocation's `options`) and returns Bedrock's
 * response body (an Anthropic Messages API response, as JSON bytes);
 * `answered` is told what the answer said about itself.
 *
 * @throws The SDK's typed exceptions (`ThrottlingException`, ...); callers map them.
 */
export async function invokeModel(
  client: BedrockClient,
  invocation: BedrockInvocation,
): Promise<Uint8Array> {
  const started = invocation.answered === undefined ? 0 : performance.now();
  const response = await client.send(
    new InvokeModelCommand(_invokeInput(invocation)),
    _sendOptions(invocation),
  );
  if (invocation.answered !== undefined) _answered(invocation.answered, response, started);
  return response.body;
}

/**
 * Calls InvokeModelWithResponseStream (with the invocation's `options`) and
 * returns an iterator over the raw bytes of each chunk: each is one
 * Anthropic stream event's JSON; `answered` is told what the answer said
 * about itself. Exception frames mid-stream surface as thrown SDK exceptions
 * from `next()`.
 */
export async function invokeModelStream(
  client: BedrockClient,
  invocation: BedrockInvocation,
): Promise<AsyncIterator<Uint8Array>> {
  const started = invocation.answered === undefined ? 0 : performance.now();
  const response = await client.send(
    new InvokeModelWithResponseStreamCommand(_invokeInput(invocation)),
    _sendOptions(invocation),
  );
  if (invocation.answered !== undefined) _answered(invocation.answered, response, started);
  const events = response.body;
  if (events === undefined) throw new TypeError("Bedrock returned no event stream");
  return chunkBytes(events);
}

/**
 * Calls CountTokens for an InvokeModel body and returns Bedrock's
 * `inputTokens`. CountTokens takes foundation model ids, so a cross-region
 * inference profile prefix (`us.`, `global.`, ...) is removed first. The
 * invocation's `options` and `answered` are not used (CountTokens takes no
 * invocation headers).
 *
 * @throws The SDK's typed exceptions; a model without token counting answers
 * `ValidationException` "The provided model doesn't support counting tokens."
 */
export async function countTokens(
  client: BedrockClient,
  invocation: BedrockInvocation,
): Promise<number> {
  const response = await client.send(
    new CountTokensCommand({
      modelId: invocation.modelId.replace(PROFILE_PREFIX, ""),
      input: { invokeModel: { body: invocation.body } },
    }),
    _sendOptions(invocation),
  );
  const count = response.inputTokens;
  if (typeof count !== "number" || !Number.isFinite(count) || count < 0) {
    throw new MalformedUpstreamError("no token count");
  }
  return count;
}

const PROFILE_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;

/** The chunk bytes of the SDK's event union values; one `then` per event, no generator. */
function chunkBytes(events: AsyncIterable<ResponseStream>): AsyncIterator<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  const onResult = (
    result: IteratorResult<ResponseStream>,
  ): IteratorResult<Uint8Array> | Promise<IteratorResult<Uint8Array>> => {
    if (result.done) return { done: true, value: undefined };
    const event = result.value;
    const bytes = event.chunk?.bytes;
    if (bytes !== undefined) return { done: false, value: bytes };
    // A modelled exception delivered as a union member instead of being thrown.
    for (const [key, value] of Object.entries(event as unknown as Record<string, unknown>)) {
      if (key === "$unknown" || value === undefined) continue;
      const detail = value as { message?: string };
      const name = key.charAt(0).toUpperCase() + key.slice(1);
      throw Object.assign(new Error(detail.message ?? name), { name });
    }
    return next();
  };
  const next = () => iterator.next().then(onResult);
  return {
    next,
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}
