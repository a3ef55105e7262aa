/**
 * The shutdown sequence of the server entry points (`main.ts`,
 * `gateway/main.ts`), run once however many signals arrive.
 *
 * @module
 */
import type { DrainReport, GatewayLifecycle } from "./gateway_lifecycle.ts";
import type { Log } from "./log.ts";
import type { Timers } from "./timers.ts";

/** Options of {@linkcode gracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** The instance's lifecycle: announced, then drained. */
  lifecycle: Pick<GatewayLifecycle, "announceDrain" | "drain">;
  /** Timers for the delay. */
  timers: Timers;
  /**
   * How long the instance keeps accepting connections and serving after
   * `/readyz` turns 503, ms (`CCGATE_DRAIN_DELAY_MS`): the time load
   * balancers need to stop sending. 0 stops listening at once.
   */
  delayMs: number;
  /** How long running calls may take to finish once draining, ms (`CCGATE_DRAIN_DEADLINE_MS`). */
  deadlineMs: number;
  /** Stops accepting connections; resolves once the listener is closed (`server.shutdown`). */
  stopListening: () => Promise<void>;
  /** Where the drain report is logged (`"drained"`). */
  log: Log;
  /** The rest: flush, close, exit. Runs once the listener is closed. */
  cleanup: (report: DrainReport) => void | Promise<void>;
}

/**
 * Returns the shutdown to register for SIGTERM and SIGINT: `/readyz` turns
 * 503 at once, requests are served for `delayMs` more, then the listener
 * closes, running calls finish up to `deadlineMs` (new ones get 529), the
 * drain is logged and `cleanup` runs. Calling it again (a second signal)
 * returns the same promise: nothing runs twice.
 *
 * @param options Lifecycle, timers, delay, deadline, listener, log, cleanup.
 * @returns The idempotent shutdown.
 *
 * @example
 * ```ts
 * import { GatewayLifecycle } from "./gateway_lifecycle.ts";
 * import { systemTimers } from "./timers.ts";
 *
 * const lifecycle = new GatewayLifecycle({ maxConcurrent: 10, timers: systemTimers });
 * const shutdown = gracefulShutdown({
 *   lifecycle, timers: systemTimers, delayMs: 0, deadlineMs: 1_000,
 *   stopListening: () => Promise.resolve(), log: () => {}, cleanup: () => {},
 * });
 * await Promise.all([shutdown(), shutdown()]);
 * ```
 */
export function gracefulShutdown(options: GracefulShutdownOptions): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => running ??= _shutdown(options);
}

async function _shutdown(options: GracefulShutdownOptions): Promise<void> {
  const { lifecycle, timers, delayMs, log } = options;
  lifecycle.announceDrain();
  if (delayMs > 0) {
    log({ level: "info", msg: "draining: /readyz answers 503, still serving", delayMs });
    await new Promise<void>((resolve) => timers.setTimeout(resolve, delayMs));
  }
  // Stop accepting connections; requests on open keep-alive connections get 529 while draining.
  const stopped = options.stopListening();
  const report = await lifecycle.drain(options.deadlineMs);
  log({ level: "info", msg: "drained", ...report });
  await stopped;
  await options.cleanup(report);
}
