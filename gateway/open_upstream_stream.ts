import { type BedrockClient, invokeModelStream, type Served } from "./bedrock_upstream.ts";
import type { MemoryReservation } from "./gateway_lifecycle.ts";

/** An upstream call tied to the client's request: the client leaving aborts it. */
export interface UpstreamCall {
  /** Signal for the Bedrock call. */
  signal: AbortSignal;
  /** Aborts the Bedrock call. */
  abort(): void;
  /** Stops listening to the client's signal; call once the response has ended. */
  release(): void;
}

/**
 * Ties a Bedrock call to the client's request: when the client goes away,
 * the call is aborted.
 *
 * @param client The incoming request's signal.
 * @returns The call's signal, `abort` and `release`.
 *
 * @example
 * ```ts
 * import { linkClientAbort } from "./open_upstream_stream.ts";
 * const client = new AbortController();
 * const call = linkClientAbort(client.signal);
 * client.abort();
 * console.assert(call.signal.aborted);
 * call.release();
 * ```
 */
export function linkClientAbort(client: AbortSignal): UpstreamCall {
  const upstream = new AbortController();
  const abort = () => upstream.abort();
  client.addEventListener("abort", abort, { once: true });
  return {
    signal: upstream.signal,
    abort,
    release: () => client.removeEventListener("abort", abort),
  };
}

/** A Bedrock response stream whose first chunk has arrived. */
export interface UpstreamStream extends UpstreamCall {
  /** The first chunk. */
  first: Uint8Array;
  /** The chunks after the first. */
  events: AsyncIterator<Uint8Array>;
}

/**
 * Starts InvokeModelWithResponseStream and waits for its first chunk, so that
 * a failure before any byte reaches the client can still be an HTTP error
 * (and can still fail over). On failure the client link is released and the
 * error is thrown as it came.
 *
 * @param bedrock The Bedrock client.
 * @param request Model id, Bedrock body, and the client's signal.
 * @returns The stream, its first chunk, and its abort and release.
 */
export async function openUpstreamStream(
  bedrock: BedrockClient,
  request: {
    modelId: string;
    body: Uint8Array;
    client: AbortSignal;
    served?: Served;
    sending?: () => void;
    reservation?: MemoryReservation;
    upstreams?: (region: string, modelId: string) => boolean;
  },
): Promise<UpstreamStream> {
  const call = linkClientAbort(request.client);
  try {
    const events = await invokeModelStream(bedrock, {
      modelId: request.modelId,
      body: request.body,
      signal: call.signal,
      served: request.served,
      sending: request.sending,
      reservation: request.reservation,
      upstreams: request.upstreams,
    });
    const first = await events.next();
    if (first.done) throw new Error("Bedrock closed the stream without an event");
    return { ...call, first: first.value, events };
  } catch (err) {
    call.abort();
    call.release();
    throw err;
  }
}
