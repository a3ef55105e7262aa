/**
 * The daily retention run the entry points schedule with `Deno.cron`.
 *
 * @module
 */
import type { Log } from "../log.ts";
import { applyRetention, type ApplyRetentionOptions } from "./apply_retention.ts";
import type { RetentionSettings } from "./retention_plan.ts";

/** What {@linkcode runRetentionJob} needs. */
export interface RetentionJobDeps {
  /** The KV store. */
  kv: Pick<Deno.Kv, "list" | "atomic">;
  /** The clock. */
  now: () => Date;
  /** Where the run's one line goes. */
  log: Log;
  /** Days kept per kind (0: forever). */
  settings: RetentionSettings;
  /** Bounds of the run (defaults of {@linkcode applyRetention}). */
  options?: ApplyRetentionOptions;
}

/**
 * Runs {@linkcode applyRetention} once and logs one line: `info` with the
 * counts, or `warn` with the error's message (no stack) when it fails. Never
 * throws, so a failed run does not disturb the cron.
 *
 * @param deps KV, clock, log, settings.
 *
 * @example
 * ```ts ignore
 * await runRetentionJob({ kv, now: () => new Date(), log, settings: config.retention });
 * ```
 */
export async function runRetentionJob(deps: RetentionJobDeps): Promise<void> {
  try {
    const counts = await applyRetention(deps, deps.settings, deps.options);
    deps.log({ level: "info", msg: "retention run", ...counts });
  } catch (err) {
    deps.log({
      level: "warn",
      msg: "retention run failed",
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
