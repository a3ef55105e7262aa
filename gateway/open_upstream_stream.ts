import {
  type BedrockClient,
  type BedrockInvocation,
  invokeModelStream,
} from "./bedrock_upstream.ts";

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
 * @param request The invocation (see `BedrockInvocation`), with the client's
 * signal in place of the call's own.
 * @returns The stream, its first chunk, and its abort and release.
 */
export async function openUpstreamStream(
  bedrock: BedrockClient,
  request: Omit<BedrockInvocation, "signal"> & { client: AbortSignal },
): Promise<UpstreamStream> {
  const { client, ...invocation } = request;
  const call = linkClientAbort(client);
  try {
    const events = await invokeModelStream(bedrock, { ...invocation, signal: call.signal });
    const first = await events.next();
    if (first.done) throw new Error("Bedrock closed the stream without an event");
    return { ...call, first: first.value, events };
  } catch (err) {
    call.abort();
    call.release();
    throw err;
  }
}
