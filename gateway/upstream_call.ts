/**
 * One Bedrock call as `FailoverBedrock` (failover_bedrock.ts) runs it: its abort signal,
 * its timeouts (total, idle between events), its admission ticket, and the
 * event stream handed to the caller once the first event arrived.
 *
 * @module
 */
import { UpstreamTimeoutError } from "./errors.ts";
import type { ActiveCall, GatewayLifecycle, MemoryReservation } from "./gateway_lifecycle.ts";
import type { Timers } from "./timers.ts";

/** Time limits of a call, milliseconds. */
export interface FailoverTimeouts {
  /** From sending a streamed call to its first event; on expiry the call fails over. */
  firstByteMs: number;
  /** Longest silence between two events of a stream; on expiry the stream ends with an error. */
  idleMs: number;
  /** Whole call, retries and stream included. */
  totalMs: number;
}

/** One call's state: its abort, its timers, its admission ticket. */
export class UpstreamCall implements ActiveCall {
  /** Set when the gateway ended the call (timeout, drain): what to throw. */
  reason: Error | undefined;
  readonly #controller = new AbortController();
  readonly #timers: Timers;
  readonly #timeouts: FailoverTimeouts;
  readonly #caller: AbortSignal | undefined;
  #release: (() => void) | undefined;
  #total: number | undefined;
  #idle: number | undefined;
  #last = 0;
  #finished = false;
  readonly #onCallerAbort = () => this.#controller.abort(this.#caller!.reason);

  constructor(timers: Timers, timeouts: FailoverTimeouts, caller: AbortSignal | undefined) {
    this.#timers = timers;
    this.#timeouts = timeouts;
    this.#caller = caller;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the call was ended by the client, a timeout other than first byte, or a drain. */
  get ended(): boolean {
    return this.#controller.signal.aborted;
  }

  /**
   * Admits the call (it may be refused: see `GatewayLifecycle.admit`) and starts its total timeout.
   *
   * @param lifecycle The instance's lifecycle, if any.
   * @param bodyBytes Size of the request body, for the memory budget.
   * @param reservation The request's memory reservation, which the call takes over.
   */
  start(
    lifecycle: GatewayLifecycle | undefined,
    bodyBytes = 0,
    reservation?: MemoryReservation,
  ): void {
    this.#release = lifecycle?.admit(this, bodyBytes, reservation);
    const total = this.#timeouts.totalMs;
    this.#total = this.#timers.setTimeout(
      () => this.abort(new UpstreamTimeoutError("total", total)),
      total,
    );
    if (this.#caller?.aborted) this.#onCallerAbort();
    else this.#caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  abort(reason: Error): void {
    if (this.#controller.signal.aborted) return;
    this.reason = reason;
    this.#controller.abort(reason);
  }

  /** The first event arrived: from now on the idle timeout watches the stream. */
  streaming(): void {
    this.#last = this.#timers.now();
    this.#idle = this.#timers.setTimeout(this.#checkIdle, this.#timeouts.idleMs);
  }

  touch(): void {
    this.#last = this.#timers.now();
  }

  readonly #checkIdle = () => {
    if (this.#finished) return;
    const quiet = this.#timers.now() - this.#last;
    const limit = this.#timeouts.idleMs;
    if (quiet >= limit) this.abort(new UpstreamTimeoutError("idle", limit));
    else this.#idle = this.#timers.setTimeout(this.#checkIdle, limit - quiet);
  };

  sleep(ms: number): Promise<void> {
    const signal = this.#controller.signal;
    if (signal.aborted) return Promise.reject(this.reason ?? signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#timers.clearTimeout(timer);
        reject(this.reason ?? signal.reason);
      };
      const timer = this.#timers.setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#total !== undefined) this.#timers.clearTimeout(this.#total);
    if (this.#idle !== undefined) this.#timers.clearTimeout(this.#idle);
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
    this.#release?.();
  }
}

/**
 * The stream handed to the caller: the first event (already received), then
 * the rest, each event resetting the idle clock. Ending in any way — done,
 * error, `return()` — finishes the call; a gateway-side end (timeout, drain)
 * surfaces as that error.
 */
export class GuardedEvents implements AsyncIterableIterator<unknown> {
  #first: unknown;
  #hasFirst = true;
  #done = false;
  readonly #events: AsyncIterator<unknown>;
  readonly #call: UpstreamCall;
  readonly #attempt: AbortController;

  constructor(
    first: unknown,
    events: AsyncIterator<unknown>,
    call: UpstreamCall,
    attempt: AbortController,
  ) {
    this.#first = first;
    this.#events = events;
    this.#call = call;
    this.#attempt = attempt;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#hasFirst) {
      const value = this.#first;
      this.#hasFirst = false;
      this.#first = undefined;
      return Promise.resolve({ done: false, value });
    }
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    return this.#events.next().then(this.#onResult, this.#onError);
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.#done) {
      this.#end();
      this.#attempt.abort();
      Promise.resolve(this.#events.return?.()).catch(() => {});
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }

  readonly #onResult = (result: IteratorResult<unknown>) => {
    if (result.done) this.#end();
    else this.#call.touch();
    return result;
  };

  readonly #onError = (err: unknown): never => {
    this.#end();
    throw this.#call.reason ?? err;
  };

  #end(): void {
    this.#done = true;
    this.#call.finish();
  }
}
