import type { Context } from "hono";
import { ChunkUsage } from "./chunk_usage.ts";
import { estimateBodyInputTokens } from "./estimate_input_tokens.ts";
import { likelyBilled } from "./likely_billed.ts";
import { type BedrockClient, type BedrockInvocation, invokeModel } from "./bedrock_upstream.ts";
import {
  linkClientAbort,
  openUpstreamStream,
  type UpstreamStream,
} from "./open_upstream_stream.ts";
import type { AdmittedRequest } from "./policy/admit_request.ts";
import type { StreamOutcome } from "./sse_stream.ts";
import { sendWithToolSearchFallback, type ToolSearchFallback } from "./tool_search_fallback.ts";
import { toUpstreamError } from "./upstream_error.ts";
import { upstreamTiming } from "./upstream_timing.ts";
import { EMPTY_USAGE, type TokenUsage } from "./usage.ts";

/**
 * What a route adds to its Bedrock call: Bedrock's invocation options and
 * their answer's metadata, and the safety net of a body that forwarded tool
 * search.
 */
export interface InvokeExtras extends Pick<BedrockInvocation, "options" | "answered"> {
  /**
   * Given when the body forwarded tool search: a refusal of it (a 400 before
   * any byte) is sent once more without tool search, within the same
   * admission (settled once; see `sendWithToolSearchFallback`).
   */
  toolSearch?: ToolSearchFallback;
}

/** What a route makes of Bedrock's InvokeModel answer: its usage and the response value. */
export interface InvokeAnswer<T> {
  /** Token counts of the answer. */
  usage: TokenUsage;
  /** What the route returns. */
  value: T;
}

/**
 * Calls InvokeModel for an admitted request and settles it exactly once: with
 * the answer's usage, or, when the call (or reading the answer) fails, with
 * what it most likely cost (see {@linkcode settleUnanswered}); the failure is
 * then thrown as the gateway's upstream error. The request record gets the
 * upstream start, the first byte and the usage.
 *
 * @param bedrock The Bedrock client.
 * @param c The request's context (its record and client signal).
 * @param admitted The admitted request.
 * @param modelId The Bedrock model id.
 * @param answer Reads Bedrock's body into the usage and the route's value.
 * @param invoke Bedrock's invocation options and who to tell what the answer
 * said about itself (the Bedrock-native routes; see `BedrockInvocation`), and
 * the tool search safety net (`InvokeExtras.toolSearch`).
 * @returns The route's value.
 */
export async function invokeAdmitted<T>(
  bedrock: BedrockClient,
  c: Context,
  admitted: AdmittedRequest,
  modelId: string,
  answer: (bytes: Uint8Array) => InvokeAnswer<T>,
  invoke?: InvokeExtras,
): Promise<T> {
  const observed = _observe(c);
  const { record, sent, firstByte } = observed;
  record.invoking(admitted.body);
  const call = linkClientAbort(c.req.raw.signal);
  const shared = _invocation(observed, modelId, admitted.upstreams, invoke);
  let answered = false;
  try {
    const bytes = await sendWithToolSearchFallback(
      admitted.body,
      (body) => invokeModel(bedrock, { ...shared, body, signal: call.signal }),
      invoke?.toolSearch,
    );
    firstByte();
    answered = true;
    const { usage, value } = answer(bytes);
    record.set({ usage });
    admitted.settle(usage);
    return value;
  } catch (err) {
    // An answer that arrived but could not be read was a Bedrock error or a malformed body.
    if (answered) admitted.settle();
    else settleUnanswered(c, admitted.settle, admitted.body, err, sent());
    throw toUpstreamError(err);
  } finally {
    call.release();
  }
}

/** An admitted stream whose first chunk has arrived. */
export interface AdmittedStream extends UpstreamStream {
  /** Call with every upstream chunk after the first (cheap: compares a few bytes). */
  observe(chunk: Uint8Array): void;
  /**
   * Frames the first chunk (observed) before anything goes to the client.
   * If that throws (a malformed first event), the call ends: Bedrock's stream
   * is aborted, the admission settled with the first chunk's usage, and the
   * gateway's upstream error thrown — still an HTTP status, as nothing was
   * sent. Call once, before the record is handed to the stream.
   */
  frameFirst(frame: (chunk: Uint8Array) => Uint8Array): Uint8Array;
  /**
   * Ends the stream's bookkeeping once: releases the client link, finishes
   * the request record and settles the admission with the same usage: the
   * usage Bedrock reported, with the output estimated if the stream ended
   * before Bedrock's final count.
   */
  close(outcome: StreamOutcome, reported: TokenUsage): void;
}

/**
 * Opens InvokeModelWithResponseStream for an admitted request and waits for
 * its first chunk; a failure before it settles the admission with what it
 * most likely cost (see {@linkcode settleUnanswered}) and is thrown as the
 * gateway's upstream error (still an HTTP status). The
 * returned `observe` meters the chunks (see `RequestRecord.meter`); `close`
 * keeps only the settle function, not the admitted request and the body it
 * holds (tens of KB per open stream).
 *
 * @param bedrock The Bedrock client.
 * @param c The request's context (its record and client signal).
 * @param admitted The admitted request.
 * @param modelId The Bedrock model id.
 * @param invoke Bedrock's invocation options and who to tell what the answer
 * said about itself (the Bedrock-native routes; see `BedrockInvocation`), and
 * the tool search safety net (`InvokeExtras.toolSearch`).
 * @returns The stream and its `close`.
 */
export async function openAdmittedStream(
  bedrock: BedrockClient,
  c: Context,
  admitted: AdmittedRequest,
  modelId: string,
  invoke?: InvokeExtras,
): Promise<AdmittedStream> {
  const observed = _observe(c);
  const { record, sent, firstByte } = observed;
  // The closures below share one context: none may name `admitted` (or its body), or an open
  // stream would keep the request body alive (`bedrockBodiesHeldWhileStreaming`).
  const { settle, maxOutput } = admitted;
  const shared = _invocation(observed, modelId, admitted.upstreams, invoke);
  let upstream: UpstreamStream;
  try {
    upstream = await sendWithToolSearchFallback(
      admitted.body,
      (body) => openUpstreamStream(bedrock, { ...shared, body, client: c.req.raw.signal }),
      invoke?.toolSearch,
    );
  } catch (err) {
    settleUnanswered(c, settle, admitted.body, err, sent());
    throw toUpstreamError(err);
  }
  firstByte();
  // The first event (`message_start`) carries the input counts: the record has them from now on,
  // so the open record of the stream (see `RequestRecord.streaming`) charges its prompt.
  const first = new ChunkUsage();
  first.read(upstream.first);
  record.set({ usage: first.usage });
  const meter = record.meter(maxOutput);
  return {
    ...upstream,
    observe: (chunk) => meter.read(chunk),
    frameFirst(frame) {
      try {
        meter.read(upstream.first);
        return frame(upstream.first);
      } catch (err) {
        upstream.abort();
        upstream.events.return?.().catch(() => {});
        upstream.release();
        settle(first.usage);
        throw toUpstreamError(err);
      }
    },
    close(outcome, reported) {
      upstream.release();
      settle(record.finishStream(outcome, reported));
    },
  };
}

/**
 * Settles a Bedrock call that failed before its answer (its first byte) with
 * what it most likely cost. Bedrock bills the prompt of a request it received
 * and did not refuse: when the request went out and the client then left,
 * the gateway stopped waiting, or the connection broke ({@linkcode likelyBilled}),
 * its input is estimated from the body sent (`estimateBodyInputTokens`,
 * erring high, as for a stream cut short), charged to the budgets and kept
 * in the request record (the ledger entry's `estimated`). A request that
 * never left the gateway, could not connect, or that Bedrock answered with an
 * HTTP error (validation, throttling, 5xx) settles with nothing. Runs once,
 * on the failure path only.
 *
 * @param c The request's context (its record and client signal).
 * @param settle The admission's settle function.
 * @param body The InvokeModel body sent.
 * @param error What the Bedrock call threw.
 * @param sent Whether an attempt's HTTP request went out.
 */
export function settleUnanswered(
  c: Context,
  settle: AdmittedRequest["settle"],
  body: Uint8Array,
  error: unknown,
  sent: boolean,
): void {
  if (!likelyBilled(error, sent, c.req.raw.signal.aborted)) {
    settle();
    return;
  }
  const usage = { ...EMPTY_USAGE, inputTokens: estimateBodyInputTokens(body) };
  c.get("record").set({ usage, estimated: true });
  // No count of Bedrock's: `tokens_per_minute` keeps the admission's estimate.
  settle(usage, { promptEstimated: true });
}

/**
 * What both model paths record of their Bedrock call, in the request record
 * (spans, region, first byte) and in `Server-Timing`: marks the call started
 * and returns its hooks, `sent`: whether an attempt went out, and the
 * request id for the call's log lines.
 */
/**
 * What a call tells Bedrock's client besides its body and abort signal: the
 * same for InvokeModel and for a stream.
 */
function _invocation(
  observed: ReturnType<typeof _observe>,
  modelId: string,
  upstreams: AdmittedRequest["upstreams"],
  invoke: InvokeExtras | undefined,
) {
  const { served, sending, reservation, requestId } = observed;
  return {
    modelId,
    served,
    sending,
    reservation,
    upstreams,
    requestId,
    options: invoke?.options,
    answered: invoke?.answered,
  };
}

function _observe(c: Context) {
  const record = c.get("record");
  record.upstreamStarted();
  const timing = upstreamTiming(c);
  let sent = false;
  return {
    record,
    // What failover invoked: the region, and the model id or profile (another region's id or
    // profile than the one requested after a failover), so the ledger and logs name what ran.
    served: (region: string, modelId: string | undefined) =>
      record.set(modelId === undefined ? { region } : { region, bedrockModel: modelId }),
    sending() {
      sent = true;
      timing.sending();
    },
    sent: () => sent,
    reservation: c.get("memoryReservation"),
    // On FailoverBedrock's log lines about the call's attempts, as on the request's own line.
    requestId: c.get("requestId"),
    firstByte() {
      record.firstByte();
      timing.firstByte();
    },
  };
}
