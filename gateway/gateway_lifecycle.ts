import {
  type GatewayError,
  OverloadedError,
  RequestTooLargeError,
  ShuttingDownError,
} from "./errors.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import { estimateCallMemory, largestBodyFor } from "./memory_budget.ts";
import type { Timers } from "./timers.ts";

/** A Bedrock call in flight, as the lifecycle sees it. */
export interface ActiveCall {
  /** Ends the call now with `reason` (a stream ends with a final `event: error`). */
  abort(reason: Error): void;
}

/** Memory held for one request, from before its body is read until its Bedrock call ends. */
export interface MemoryReservation {
  /** Bytes held: the estimate for the request's body size (0 without a memory budget). */
  readonly bytes: number;
  /** Gives the memory back, once; does nothing once the request's call has taken it over. */
  release(): void;
}

class _Reservation implements MemoryReservation {
  readonly bytes: number;
  #state: "request" | "call" | "released" = "request";
  readonly #move: (by: number) => void;

  constructor(bytes: number, move: (by: number) => void) {
    this.bytes = bytes;
    this.#move = move;
  }

  get heldByRequest(): boolean {
    return this.#state === "request";
  }

  /** The call holds the bytes from now on (and gives them back with its own release). */
  takeOver(): number {
    this.#state = "call";
    return this.bytes;
  }

  release(): void {
    if (this.#state !== "request") return;
    this.#state = "released";
    this.#move(-this.bytes);
  }
}

/** A refusal and its `ccgate_load_shed_total` reason. */
interface _Refusal {
  error: GatewayError;
  reason: "draining" | "concurrency" | "memory" | "too_large";
}

/** Shortest time between two "load shed" log lines, ms. */
export const SHED_LOG_INTERVAL_MS = 10_000;

/** Options of {@linkcode GatewayLifecycle}. */
export interface GatewayLifecycleOptions {
  /** Most Bedrock calls (streams and others) in flight at once; beyond it, 529. */
  maxConcurrent: number;
  /**
   * Most memory the calls in flight may hold, bytes, as estimated from the
   * size of their request bodies (`estimateCallMemory`, memory_budget.ts):
   * beyond it, 529; a single request estimated above it, 413. Unset: no
   * memory limit, only `maxConcurrent`.
   */
  memoryBudgetBytes?: number;
  /** Timers for the drain deadline. */
  timers: Timers;
  /** Where hook failures are reported. */
  log?: Log;
  /** Where the estimated memory in flight is reported (`ccgate_memory_in_flight_bytes`). */
  metrics?: GatewayMetrics;
}

/** What {@linkcode GatewayLifecycle.drain} did. */
export interface DrainReport {
  /** Calls in flight when the drain began that finished on their own. */
  finished: number;
  /** Calls still running at the deadline, ended with a final error. */
  ended: number;
  /** Drain hooks that threw. */
  hookFailures: number;
}

/**
 * The instance's load and life: admits Bedrock calls up to `maxConcurrent`
 * and, when a memory budget is set, up to the memory their request bodies are
 * estimated to hold (load shedding with 529 beyond either), and drains on
 * shutdown — no new calls, running ones finish until a deadline, the rest end
 * with a final error, then the drain hooks run (the usage ledger registers its
 * flush there).
 *
 * @example
 * ```ts
 * import { GatewayLifecycle } from "./gateway_lifecycle.ts";
 * import { systemTimers } from "./timers.ts";
 * const lifecycle = new GatewayLifecycle({ maxConcurrent: 100, timers: systemTimers });
 * lifecycle.onDrain(async () => {});
 * const report = await lifecycle.drain(5_000);
 * console.assert(report.ended === 0);
 * ```
 */
export class GatewayLifecycle {
  readonly #options: GatewayLifecycleOptions;
  /** Each call in flight, with the memory reserved for it. */
  readonly #active = new Map<ActiveCall, number>();
  #reserved = 0;
  readonly #move = (by: number) => this.#moveReserved(by);
  /** Refusals by reason since the last "load shed" log line, and when that was. */
  #shed: Record<string, number> = {};
  #shedLoggedAt: number | undefined;
  readonly #hooks: (() => void | Promise<void>)[] = [];
  #drained: Promise<DrainReport> | undefined;
  #idleWaiters: { atMost: number; resolve: () => void }[] = [];

  /** @param options Limit, timers, log. */
  constructor(options: GatewayLifecycleOptions) {
    this.#options = options;
  }

  /** Whether a drain has begun (new calls are refused). */
  get draining(): boolean {
    return this.#drained !== undefined;
  }

  /** Bedrock calls in flight. */
  get active(): number {
    return this.#active.size;
  }

  /** Memory reserved by the calls in flight (their estimate), bytes. */
  get reservedBytes(): number {
    return this.#reserved;
  }

  /**
   * Why a call with a request body of `bodyBytes` would be refused right now,
   * or `undefined` when it would be admitted.
   *
   * @param bodyBytes Size of the request body (0 when unknown).
   * @returns The error to answer with, or `undefined`.
   */
  refusal(bodyBytes = 0): GatewayError | undefined {
    return this.#refusal(bodyBytes)?.error;
  }

  #refusal(bodyBytes: number): _Refusal | undefined {
    return this.#countRefusal() ?? this.#memoryRefusal(bodyBytes, this.#estimate(bodyBytes));
  }

  /**
   * Holds the memory a request is estimated to need, from before its body is
   * read (the load-shedding middleware, from `content-length`), so that a
   * burst of large requests is refused before their bodies are read rather
   * than admitted together. The request's Bedrock call takes the reservation
   * over when admitted with it (see {@linkcode GatewayLifecycle.admit});
   * otherwise `release()` gives it back.
   *
   * @param bodyBytes Size of the request body (0 when unknown).
   * @returns The reservation (of 0 bytes when there is no memory budget).
   * @throws {ShuttingDownError} While draining (529).
   * @throws {OverloadedError} At the concurrency limit or the memory budget (529).
   * @throws {RequestTooLargeError} When the request alone would exceed the memory budget (413).
   */
  reserve(bodyBytes = 0): MemoryReservation {
    const refused = this.#refusal(bodyBytes);
    if (refused !== undefined) throw this.#counted(refused);
    const reservation = new _Reservation(this.#estimate(bodyBytes), this.#move);
    this.#moveReserved(reservation.bytes);
    return reservation;
  }

  /**
   * Admits a call, or refuses it (see {@linkcode GatewayLifecycle.refusal}).
   *
   * @param call The call, so a drain can end it.
   * @param bodyBytes Size of its request body, for the memory budget.
   * @param reservation The request's reservation, if any: the call takes it
   * over (and holds more only when its body is larger than estimated).
   * @returns `release`, to call once when the call is over (idempotent).
   * @throws {ShuttingDownError} While draining (529).
   * @throws {OverloadedError} At the concurrency limit or the memory budget (529).
   * @throws {RequestTooLargeError} When the call alone would exceed the memory budget (413).
   */
  admit(call: ActiveCall, bodyBytes = 0, reservation?: MemoryReservation): () => void {
    const counted = this.#countRefusal();
    if (counted !== undefined) throw this.#counted(counted);
    const needed = this.#estimate(bodyBytes);
    const held = reservation instanceof _Reservation && reservation.heldByRequest
      ? reservation
      : undefined;
    const extra = Math.max(0, needed - (held?.bytes ?? 0));
    const refused = this.#memoryRefusal(bodyBytes, extra, held?.bytes ?? 0);
    if (refused !== undefined) throw this.#counted(refused);
    const bytes = (held?.takeOver() ?? 0) + extra;
    this.#moveReserved(extra);
    this.#active.set(call, bytes);
    return () => {
      const reserved = this.#active.get(call);
      if (reserved === undefined || !this.#active.delete(call)) return;
      this.#moveReserved(-reserved);
      if (this.#idleWaiters.length > 0) {
        const size = this.#active.size;
        this.#idleWaiters = this.#idleWaiters.filter((w) =>
          w.atMost < size || (w.resolve(), false)
        );
      }
    };
  }

  /**
   * Counts a refusal in `ccgate_load_shed_total`, by reason, and says so in
   * the log at most once per {@linkcode SHED_LOG_INTERVAL_MS} (a shed request
   * gets no request record, and one line per refusal would flood the log
   * just when the instance is busiest); returns the refusal.
   */
  #counted({ error, reason }: _Refusal): GatewayError {
    this.#options.metrics?.increment("ccgate_load_shed_total", { reason });
    this.#shed[reason] = (this.#shed[reason] ?? 0) + 1;
    const now = this.#options.timers.now();
    if (this.#shedLoggedAt === undefined || now - this.#shedLoggedAt >= SHED_LOG_INTERVAL_MS) {
      this.#shedLoggedAt = now;
      this.#options.log?.({
        level: "warn",
        msg: "load shed",
        refused: this.#shed,
        in_flight: this.#active.size,
        memory_in_flight_mib: _mib(this.#reserved),
        memory_budget_mib: this.#options.memoryBudgetBytes === undefined
          ? undefined
          : _mib(this.#options.memoryBudgetBytes),
      });
      this.#shed = {};
    }
    return error;
  }

  #estimate(bodyBytes: number): number {
    return this.#options.memoryBudgetBytes === undefined ? 0 : estimateCallMemory(bodyBytes);
  }

  #countRefusal(): _Refusal | undefined {
    if (this.#drained !== undefined) return { error: new ShuttingDownError(), reason: "draining" };
    const { maxConcurrent } = this.#options;
    if (this.#active.size < maxConcurrent) return undefined;
    return {
      error: new OverloadedError(
        `This gateway instance is at its concurrency limit (${maxConcurrent} requests in flight); retry`,
        1,
      ),
      reason: "concurrency",
    };
  }

  /**
   * Why `more` bytes would not fit beside what is reserved, for a request of
   * `bodyBytes` that already holds `held`; `undefined` when they fit.
   */
  #memoryRefusal(bodyBytes: number, more: number, held = 0): _Refusal | undefined {
    const budget = this.#options.memoryBudgetBytes;
    if (budget === undefined || more === 0) return undefined;
    if (held + more > budget) {
      const largest = largestBodyFor(budget);
      const error = new RequestTooLargeError(
        largest,
        `Request body of ${bodyBytes} bytes is more than this gateway instance can hold in memory: at most ${largest} bytes with its ${
          _mib(budget)
        } MiB memory budget for requests`,
      );
      return { error, reason: "too_large" };
    }
    if (this.#reserved + more <= budget) return undefined;
    const error = new OverloadedError(
      `This gateway instance is at its memory budget for requests in flight (${
        _mib(this.#reserved)
      } of ${_mib(budget)} MiB); retry`,
      1,
    );
    return { error, reason: "memory" };
  }

  /**
   * Resolves once at most `atMost` calls are in flight (at once if so).
   *
   * @param atMost Calls still allowed in flight. @default {0}
   * @returns A promise that never rejects.
   */
  whenIdle(atMost = 0): Promise<void> {
    if (this.#active.size <= atMost) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push({ atMost, resolve }));
  }

  /**
   * Registers work to do once the calls are over, e.g. flushing the usage
   * ledger. Hooks run in order; one that throws is logged and counted and
   * does not stop the others.
   *
   * @param hook The work.
   */
  onDrain(hook: () => void | Promise<void>): void {
    this.#hooks.push(hook);
  }

  /**
   * Stops admitting calls, waits up to `deadlineMs` for the running ones,
   * ends the rest with {@linkcode ShuttingDownError}, then runs the drain
   * hooks. Calling it again returns the same promise.
   *
   * @param deadlineMs How long running calls may take to finish.
   * @returns What happened.
   */
  drain(deadlineMs: number): Promise<DrainReport> {
    this.#drained ??= this.#drain(deadlineMs);
    return this.#drained;
  }

  #moveReserved(by: number): void {
    if (by === 0) return;
    this.#reserved += by;
    this.#options.metrics?.set("ccgate_memory_in_flight_bytes", {}, this.#reserved);
  }

  async #drain(deadlineMs: number): Promise<DrainReport> {
    const started = this.#active.size;
    if (started > 0) {
      const { timers } = this.#options;
      let timer: number | undefined;
      await Promise.race([
        this.whenIdle(),
        new Promise<void>((resolve) => timer = timers.setTimeout(resolve, deadlineMs)),
      ]);
      timers.clearTimeout(timer!);
    }
    const cut = [...this.#active.keys()];
    for (const call of cut) call.abort(new ShuttingDownError());
    let hookFailures = 0;
    for (const hook of this.#hooks) {
      try {
        await hook();
      } catch (err) {
        hookFailures++;
        this.#options.log?.({
          level: "error",
          msg: "drain hook failed",
          error: err instanceof Error ? err.name : typeof err,
        });
      }
    }
    return { finished: started - cut.length, ended: cut.length, hookFailures };
  }
}

function _mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
