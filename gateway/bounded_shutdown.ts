/**
 * A deadline on the whole shutdown of the server entry points: KV that hangs
 * (a drain hook's ledger flush, the last flush in `cleanup`) cannot hold the
 * exit forever.
 *
 * @module
 */
import type { Log } from "./log.ts";
import type { Timers } from "./timers.ts";
import { MAX_TIMER_MS } from "./milliseconds_setting.ts";

/**
 * How long the drain's hooks and the last usage ledger flush may take after
 * the drain deadline, ms: with the default deadline (25 s) and no drain delay
 * a shutdown takes at most 30 s, the grace period most orchestrators give
 * before `SIGKILL`.
 */
export const FLUSH_GRACE_MS = 5_000;

/** Options of {@linkcode boundedShutdown}. */
export interface BoundedShutdownOptions {
  /**
   * The time the shutdown may take, ms: the drain delay and deadline plus
   * {@linkcode FLUSH_GRACE_MS} (kept within the longest timer delay).
   */
  boundMs: number;
  /** Timers for the bound. */
  timers: Timers;
  /** The usage ledger: what it has not written is logged when the bound is hit. */
  ledger: { readonly unwritten: number };
  /** Where a shutdown cut short is logged. */
  log: Log;
  /** Ends the process (`Deno.exit`); called with 1 when the bound is hit or the shutdown threw. */
  exit: (code: number) => void;
}

/**
 * Wraps a shutdown (`gracefulShutdown`'s, which exits when done) so that it
 * ends within `boundMs`: past it, what the usage ledger has not written is
 * logged with where it is recovered from, and the process exits with 1.
 * Entries already in KV's write-ahead log are rolled up at the next start
 * (`UsageLedger.recover`); the unwritten ones of streams and long calls have
 * open records in KV, rolled up as `interrupted` by any instance's sweep;
 * the others are lost. Calling it again (a second signal) returns the same
 * promise.
 *
 * @param shutdown The shutdown (idempotent).
 * @param options The bound, timers, ledger, log and exit.
 * @returns The bounded shutdown: resolves `true` when it finished in time.
 *
 * @example
 * ```ts ignore
 * const stop = boundedShutdown(shutdown, { boundMs: 30_000, timers, ledger, log, exit: Deno.exit });
 * Deno.addSignalListener("SIGTERM", () => void stop());
 * ```
 */
export function boundedShutdown(
  shutdown: () => Promise<void>,
  options: BoundedShutdownOptions,
): () => Promise<boolean> {
  let running: Promise<boolean> | undefined;
  return () => running ??= _bounded(shutdown, options);
}

async function _bounded(
  shutdown: () => Promise<void>,
  options: BoundedShutdownOptions,
): Promise<boolean> {
  const { timers, log } = options;
  const boundMs = Math.min(options.boundMs, MAX_TIMER_MS);
  let timer: number | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = timers.setTimeout(() => resolve("late"), boundMs);
  });
  const outcome = await Promise.race([
    shutdown().then(() => "done" as const, (err: unknown) => err),
    late,
  ]);
  timers.clearTimeout(timer!);
  if (outcome === "done") return true;
  if (outcome === "late") {
    log({
      level: "error",
      msg: "shutdown cut short: usage ledger not flushed",
      bound_ms: boundMs,
      unwritten: options.ledger.unwritten,
      recovery:
        "entries already in KV's write-ahead log are rolled up at the next start; unwritten " +
        "ones are lost, except streams and long calls, whose open records in KV are rolled " +
        "up as interrupted",
    });
  } else {
    log({
      level: "error",
      msg: "shutdown failed",
      error: outcome instanceof Error ? outcome.message : String(outcome),
    });
  }
  options.exit(1);
  return false;
}
