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

/**
 * A pull-driven SSE body over an upstream event iterator: each upstream event
 * is framed and handed to the client the moment the client can take it, with
 * no buffering beyond the one event in flight (a slow client slows the
 * upstream read instead of growing memory). While the upstream is silent for
 * `pingIntervalMs` a ping is sent (when a ping frame is given); an upstream
 * failure becomes a final error frame; a client that goes away aborts the
 * upstream call. It serves SSE and the binary Bedrock event stream alike.
 *
 * Pings cost one timer per stream, not one per event: the timer is armed
 * once and, when it fires, re-armed for the rest of the interval since the
 * last upstream event (one clock read per event).
 *
 * An upstream event that `frame` cannot frame (a malformed one) ends the
 * stream like an upstream failure, and aborts the upstream call.
 *
 * @param first The frame of the first upstream event, sent as it is: the
 * caller receives and frames that event before answering, so that a failure
 * up to it can still be an HTTP error status.
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
  const { frame, errorFrame, pingFrame, pingIntervalMs } = options;
  const pings = pingFrame !== undefined && pingIntervalMs !== undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the last thing (event or ping) was sent. */
  let lastSent = 0;
  /** Whether a pull is waiting for the upstream. */
  let waiting = false;

  const onPingTimer = () => {
    timer = undefined;
    if (closed) return;
    const quiet = performance.now() - lastSent;
    if (quiet >= pingIntervalMs!) {
      // Only while a pull waits for the upstream and nothing is queued: at most one ping queues.
      if (waiting && controller!.desiredSize! >= 0) controller!.enqueue(pingFrame!);
      lastSent = performance.now();
      timer = setTimeout(onPingTimer, pingIntervalMs!);
    } else {
      timer = setTimeout(onPingTimer, pingIntervalMs! - quiet);
    }
  };

  const close = (outcome: StreamOutcome) => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    options.onClose?.(outcome);
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(controller) {
      if (!firstSent) {
        firstSent = true;
        controller.enqueue(first);
        if (pings) {
          lastSent = performance.now();
          timer = setTimeout(onPingTimer, pingIntervalMs!);
        }
        return;
      }
      try {
        for (;;) {
          pending = upstream.next();
          waiting = true;
          const result = await pending;
          pending = undefined;
          if (closed) return;
          if (result.done) {
            waiting = false;
            controller.close();
            close({ kind: "completed" });
            return;
          }
          const bytes = frame(result.value);
          if (bytes.byteLength === 0) continue;
          if (pings) lastSent = performance.now();
          // A ping sent while waiting already answered this pull: the event queues behind it.
          waiting = false;
          controller.enqueue(bytes);
          return;
        }
      } catch (error) {
        pending = undefined;
        waiting = false;
        if (closed) return;
        controller.enqueue(errorFrame(error));
        controller.close();
        // An event `frame` refused leaves the upstream call running: end it (a failed one has ended).
        options.abort();
        upstream.return?.().catch(() => {});
        close({ kind: "upstream_error", error });
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
