import { OverloadedError, ShuttingDownError } from "./errors.ts";
import type { Log } from "./log.ts";
import type { Timers } from "./timers.ts";

/** A Bedrock call in flight, as the lifecycle sees it. */
export interface ActiveCall {
  /** Ends the call now with `reason` (a stream ends with a final `event: error`). */
  abort(reason: Error): void;
}

/** Options of {@linkcode GatewayLifecycle}. */
export interface GatewayLifecycleOptions {
  /** Most Bedrock calls (streams and others) in flight at once; beyond it, 529. */
  maxConcurrent: number;
  /** Timers for the drain deadline. */
  timers: Timers;
  /** Where hook failures are reported. */
  log?: Log;
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
 * (load shedding with 529 beyond it), and drains on shutdown — no new calls,
 * running ones finish until a deadline, the rest end with a final error, then
 * the drain hooks run (the usage ledger registers its flush there).
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
  readonly #active = new Set<ActiveCall>();
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

  /** Whether a new call would be refused right now. */
  get saturated(): boolean {
    return this.#active.size >= this.#options.maxConcurrent;
  }

  /**
   * Admits a call, or refuses it.
   *
   * @param call The call, so a drain can end it.
   * @returns `release`, to call once when the call is over (idempotent).
   * @throws {ShuttingDownError} While draining (529).
   * @throws {OverloadedError} At the concurrency limit (529).
   */
  admit(call: ActiveCall): () => void {
    if (this.#drained !== undefined) throw new ShuttingDownError();
    if (this.saturated) {
      throw new OverloadedError(
        `This gateway instance is at its limit of ${this.#options.maxConcurrent} concurrent requests; retry`,
        1,
      );
    }
    this.#active.add(call);
    return () => {
      if (!this.#active.delete(call)) return;
      if (this.#idleWaiters.length > 0) {
        const size = this.#active.size;
        this.#idleWaiters = this.#idleWaiters.filter((w) =>
          w.atMost < size || (w.resolve(), false)
        );
      }
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
    const cut = [...this.#active];
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
