import { type GatewayError, OverloadedError, ShuttingDownError } from "./errors.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import {
  _Reservation,
  MemoryPool,
  type MemoryRefusalReason,
  type MemoryReservation,
} from "./memory_pool.ts";
import type { Timers } from "./timers.ts";

export type { MemoryReservation } from "./memory_pool.ts";

/** A Bedrock call in flight, as the lifecycle sees it. */
export interface ActiveCall {
  /** Ends the call now with `reason` (a stream ends with a final `event: error`). */
  abort(reason: Error): void;
}

/** The reservation of every request when there is no memory budget: it holds nothing. */
const NO_RESERVATION: MemoryReservation = Object.freeze({
  bytes: 0,
  owner: undefined,
  assign() {},
  grow() {},
  release() {},
});

/** A refusal and its `ccgate_load_shed_total` reason. */
interface _Refusal {
  error: GatewayError;
  reason: "draining" | "concurrency" | MemoryRefusalReason;
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
  /**
   * Share of the memory budget one user's requests may hold together (0–1]:
   * beyond it, 429 for that user's further requests; a request larger than
   * the share on its own, 413.
   * @default {1}
   */
  memoryUserShare?: number;
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
  readonly #active = new Map<ActiveCall, _Reservation | undefined>();
  readonly #pool: MemoryPool | undefined;
  /** Refusals by reason since the last "load shed" log line, and when that was. */
  #shed: Record<string, number> = {};
  #shedLoggedAt: number | undefined;
  readonly #hooks: (() => void | Promise<void>)[] = [];
  #drained: Promise<DrainReport> | undefined;
  #announced = false;
  #idleWaiters: { atMost: number; resolve: () => void }[] = [];

  /** @param options Limit, timers, log. */
  constructor(options: GatewayLifecycleOptions) {
    this.#options = options;
    const { memoryBudgetBytes, metrics } = options;
    this.#pool = memoryBudgetBytes === undefined ? undefined : new MemoryPool({
      budgetBytes: memoryBudgetBytes,
      userShare: options.memoryUserShare,
      refused: (refusal) => this.#counted(refusal),
      moved: (reserved) => metrics?.set("ccgate_memory_in_flight_bytes", {}, reserved),
    });
  }

  /** Whether a drain has begun (new calls are refused). */
  get draining(): boolean {
    return this.#drained !== undefined;
  }

  /**
   * Whether the shutdown has begun: announced ({@linkcode GatewayLifecycle.announceDrain}),
   * calls still admitted, or draining. `/readyz` fails from then on.
   */
  get stopping(): boolean {
    return this.#announced || this.draining;
  }

  /**
   * Announces the shutdown without refusing anything yet: `/readyz` answers
   * 503 ("draining") so load balancers stop sending new connections, while
   * calls are still admitted until {@linkcode GatewayLifecycle.drain}.
   */
  announceDrain(): void {
    this.#announced = true;
  }

  /** Bedrock calls in flight. */
  get active(): number {
    return this.#active.size;
  }

  /** Memory reserved by the calls in flight (their estimate), bytes. */
  get reservedBytes(): number {
    return this.#pool?.reservedBytes ?? 0;
  }

  /**
   * Memory reserved by one user's requests and calls in flight, bytes.
   *
   * @param owner The user (the token's subject).
   * @returns Bytes.
   */
  reservedBy(owner: string): number {
    return this.#pool?.heldBy(owner) ?? 0;
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
    return this.#countRefusal() ?? this.#pool?.refusal(bodyBytes);
  }

  /**
   * Opens the memory reservation of a request, before it is authenticated
   * (the load-shedding middleware, from `content-length`): refused at once
   * when its estimate would not fit, but holding nothing yet, so that an
   * unauthenticated request never holds memory. Once it is authenticated and
   * before its body is read, `assign()` holds the estimate for its user (one
   * user's requests hold at most their share of the budget), so that a burst
   * of large requests is refused before their bodies are read; once the body
   * is in, `grow()` holds more when it is larger than declared. The request's
   * Bedrock call takes the reservation over when admitted with it (see
   * {@linkcode GatewayLifecycle.admit}); otherwise `release()` gives it back.
   *
   * @param bodyBytes Size of the request body (0 when unknown).
   * @returns The reservation (never holding anything when there is no memory budget).
   * @throws {ShuttingDownError} While draining (529).
   * @throws {OverloadedError} At the concurrency limit or the memory budget (529).
   * @throws {RequestTooLargeError} When the request alone would exceed the memory budget (413).
   */
  reserve(bodyBytes = 0): MemoryReservation {
    const counted = this.#countRefusal();
    if (counted !== undefined) throw this.#counted(counted);
    return this.#pool?.reserve(bodyBytes) ?? NO_RESERVATION;
  }

  /**
   * Admits a call, or refuses it (see {@linkcode GatewayLifecycle.refusal}).
   *
   * @param call The call, so a drain can end it.
   * @param bodyBytes Size of its request body, for the memory budget.
   * @param reservation The request's reservation, if any: the call takes it
   * over (and holds more when its body is larger than the reservation's).
   * @returns `release`, to call once when the call is over (idempotent).
   * @throws {ShuttingDownError} While draining (529).
   * @throws {OverloadedError} At the concurrency limit or the memory budget (529).
   * @throws {RequestTooLargeError} When the call alone would exceed the memory budget (413).
   */
  admit(call: ActiveCall, bodyBytes = 0, reservation?: MemoryReservation): () => void {
    const counted = this.#countRefusal();
    if (counted !== undefined) throw this.#counted(counted);
    let held: _Reservation | undefined;
    if (this.#pool !== undefined) {
      held = reservation instanceof _Reservation && reservation.heldByRequest
        ? reservation
        : this.#pool.open(bodyBytes);
      held.grow(bodyBytes); // more only for a body larger than the reservation's
      held.takeOver();
    }
    this.#active.set(call, held);
    return () => {
      if (!this.#active.has(call)) return;
      const reserved = this.#active.get(call);
      this.#active.delete(call);
      reserved?.end();
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
        memory_in_flight_mib: _mib(this.reservedBytes),
        memory_budget_mib: this.#options.memoryBudgetBytes === undefined
          ? undefined
          : _mib(this.#options.memoryBudgetBytes),
      });
      this.#shed = {};
    }
    return error;
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
