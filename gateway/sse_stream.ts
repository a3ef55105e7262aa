/** How a stream ended, for the usage record and metrics. */
export type StreamOutcome =
  | { kind: "completed" }
  | { kind: "upstream_error"; error: unknown }
  | { kind: "client_aborted" };

/** Options of {@linkcode sseStream}. */
export interface SseStreamOptions {
  /**
   * Turns one upstream event (raw Anthropic event JSON bytes) into the bytes
   * to send; an empty result sends nothing and reads the next event.
   */
  frame: (event: Uint8Array) => Uint8Array;
  /** The final frame (`event: error`, an exception frame) for an upstream failure after the first byte. */
  errorFrame: (error: unknown) => Uint8Array;
  /** The `event: ping` frame; absent: no pings (Bedrock's event stream has none). */
  pingFrame?: Uint8Array;
  /** Send a ping after this much upstream silence, milliseconds. */
  pingIntervalMs?: number;
  /** Aborts the upstream call; called when the client goes away. */
  abort: () => void;
  /** Called once, when the stream ends in any way. */
  onClose?: (outcome: StreamOutcome) => void;
}

const PING = Symbol("ping");

/**
 * A pull-driven SSE body over an upstream event iterator: each upstream event
 * is framed and handed to the client the moment the client can take it, with
 * no buffering beyond the one event in flight (a slow client slows the
 * upstream read instead of growing memory). While the upstream is silent for
 * `pingIntervalMs` a ping is sent (when a ping frame is given); an upstream
 * failure becomes a final error frame; a client that goes away aborts the
 * upstream call. It serves SSE and the binary Bedrock event stream alike.
 *
 * @param first The first upstream event, already received (so that a failure
 * before it could still become an HTTP error status).
 * @param upstream The rest of the upstream events.
 * @param options Framing, pings, abort and the close callback.
 */
export function sseStream(
  first: Uint8Array,
  upstream: AsyncIterator<Uint8Array>,
  options: SseStreamOptions,
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
      const { pingFrame, pingIntervalMs } = options;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        for (;;) {
          pending ??= upstream.next();
          let result: IteratorResult<Uint8Array> | typeof PING;
          if (pingFrame && pingIntervalMs !== undefined) {
            const ping = new Promise<typeof PING>((resolve) => {
              timer = setTimeout(resolve, pingIntervalMs, PING);
            });
            result = await Promise.race([pending, ping]);
            clearTimeout(timer);
          } else {
            result = await pending;
          }
          if (result === PING) {
            controller.enqueue(pingFrame!);
            return;
          }
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
      } finally {
        clearTimeout(timer);
      }
    },
    cancel() {
      options.abort();
      close({ kind: "client_aborted" });
      // Settle the in-flight read so the aborted upstream call cannot surface as an unhandled rejection.
      pending?.catch(() => {});
      upstream.return?.().catch(() => {});
    },
  }, { highWaterMark: 0 });
}
