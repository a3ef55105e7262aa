import type { StreamOutcome } from "./sse_stream.ts";

/** Options of {@linkcode eventStreamBody}. */
export interface EventStreamBodyOptions {
  /** Encodes one upstream chunk (may return several frames' bytes, or none). */
  frame: (chunk: Uint8Array) => Uint8Array;
  /** The final frame for an upstream failure after the first chunk. */
  errorFrame: (error: unknown) => Uint8Array;
  /** Aborts the upstream call; called when the client goes away. */
  abort: () => void;
  /** Called once, when the body ends in any way. */
  onClose?: (outcome: StreamOutcome) => void;
}

/**
 * A pull-driven response body over an upstream chunk iterator, for the
 * binary Bedrock event stream (no pings: Bedrock sends none): each chunk is
 * encoded and handed over the moment the client can take it, with nothing
 * buffered beyond the one in flight; an upstream failure becomes a final
 * exception frame; a client that goes away aborts the upstream call.
 *
 * @param first The first chunk, already received (a failure before it is an HTTP error).
 * @param upstream The rest of the chunks.
 * @param options Encoding, error frame, abort, close callback.
 * @returns The body.
 */
export function eventStreamBody(
  first: Uint8Array,
  upstream: AsyncIterator<Uint8Array>,
  options: EventStreamBodyOptions,
): ReadableStream<Uint8Array> {
  let pending: Promise<IteratorResult<Uint8Array>> | undefined;
  let closed = false;
  let firstSent = false;
  const close = (outcome: StreamOutcome) => {
    if (closed) return;
    closed = true;
    options.onClose?.(outcome);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!firstSent) {
        firstSent = true;
        controller.enqueue(options.frame(first));
        return;
      }
      try {
        for (;;) {
          pending = upstream.next();
          const result = await pending;
          pending = undefined;
          if (result.done) {
            controller.close();
            close({ kind: "completed" });
            return;
          }
          const bytes = options.frame(result.value);
          if (bytes.byteLength === 0) continue;
          controller.enqueue(bytes);
          return;
        }
      } catch (error) {
        pending = undefined;
        if (closed) return;
        controller.enqueue(options.errorFrame(error));
        controller.close();
        close({ kind: "upstream_error", error });
      }
    },
    cancel() {
      options.abort();
      close({ kind: "client_aborted" });
      pending?.catch(() => {});
      upstream.return?.().catch(() => {});
    },
  }, { highWaterMark: 0 });
}
