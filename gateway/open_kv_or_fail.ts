/**
 * Opening KV at start-up, for the three entry points (`main.ts`,
 * `gateway/main.ts`, `auth/main.ts`): a path or KV Connect URL that cannot be
 * opened stops the start with one line, like any other bad setting, instead
 * of an uncaught error and a stack trace; so does one that does not answer
 * within {@linkcode KV_OPEN_TIMEOUT_MS} (a KV Connect host that drops
 * packets would otherwise hold the start for as long as the kernel retries).
 *
 * @module
 */
import { retryWhenLocked } from "./retry_when_locked.ts";
import { systemTimers, type Timers } from "./timers.ts";

/** How long opening KV may take before the start stops, ms. */
export const KV_OPEN_TIMEOUT_MS = 30_000;

/** What {@linkcode openKvOrFail} needs. */
export interface OpenKvOrFailDeps {
  /**
   * Whether `path` came from `CCGATE_KV_PATH` (the message then names the
   * setting) rather than from the default.
   */
  fromSetting: boolean;
  /** Stops the start with a one-line message (prints it, exits non-zero). */
  fail: (message: string) => never;
  /**
   * `DENO_KV_ACCESS_TOKEN`, if set: never printed, even if the error names it.
   * @default undefined
   */
  accessToken?: string;
  /**
   * Opens KV.
   * @default Deno.openKv
   */
  openKv?: (path?: string) => Promise<Deno.Kv>;
  /**
   * Timers for the open's deadline ({@linkcode KV_OPEN_TIMEOUT_MS}).
   * @default systemTimers
   */
  timers?: Pick<Timers, "setTimeout" | "clearTimeout">;
}

/**
 * Opens KV at `path` (a file, `:memory:`, a KV Connect URL, or `undefined`
 * for Deno Deploy's), or stops the start with one line naming what failed,
 * also when KV has not answered within {@linkcode KV_OPEN_TIMEOUT_MS}.
 *
 * @param path Where KV is.
 * @param deps Whether it came from the setting, how to stop, the access token to hide.
 * @returns The open KV, its writes retried while a KV file shared with
 *   another process is locked ({@linkcode retryWhenLocked}).
 *
 * @example
 * ```ts ignore
 * const kv = await openKvOrFail(".ccgate/kv.sqlite3", { fromSetting: false, fail });
 * ```
 */
export async function openKvOrFail(
  path: string | undefined,
  deps: OpenKvOrFailDeps,
): Promise<Deno.Kv> {
  const openKv = deps.openKv ?? ((p?: string) => Deno.openKv(p));
  const timers = deps.timers ?? systemTimers;
  let timer: number | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(
      () => reject(new Error(`no answer within ${KV_OPEN_TIMEOUT_MS / 1000} s`)),
      KV_OPEN_TIMEOUT_MS,
    );
  });
  try {
    return retryWhenLocked(await Promise.race([openKv(path), deadline]));
  } catch (err) {
    return deps.fail(kvOpenFailure(path, err, deps));
  } finally {
    timers.clearTimeout(timer!);
  }
}

/**
 * The one line saying why KV could not be opened: the setting (or the
 * default) and the error, with URL credentials and the access token removed.
 *
 * @param path Where KV is.
 * @param error What `Deno.openKv` threw.
 * @param options Whether `path` came from `CCGATE_KV_PATH`, the access token to hide.
 * @returns The message, without a trailing period.
 *
 * @example
 * ```ts
 * import { kvOpenFailure } from "./open_kv_or_fail.ts";
 * const line = kvOpenFailure("/nope/kv.sqlite3", new Error("unable to open database file"), {
 *   fromSetting: true,
 * });
 * console.assert(line === "Invalid setting CCGATE_KV_PATH: unable to open database file");
 * ```
 */
export function kvOpenFailure(
  path: string | undefined,
  error: unknown,
  options: { fromSetting: boolean; accessToken?: string },
): string {
  let reason = error instanceof Error ? error.message : String(error);
  if (options.accessToken) reason = reason.replaceAll(options.accessToken, "***");
  // `scheme://user:password@host`: credentials in a KV Connect URL are never printed.
  reason = reason.replace(/\/\/[^/\s@'"()]+@/g, "//").replace(/\s+/g, " ").trim();
  if (reason === "") reason = "cannot be opened";
  if (options.fromSetting) return `Invalid setting CCGATE_KV_PATH: ${reason}`;
  const where = path === undefined ? "the deployment's KV" : _redact(path);
  return `Cannot open KV (${where}; set CCGATE_KV_PATH to choose another): ${reason}`;
}

function _redact(path: string): string {
  return path.replace(/\/\/[^/\s@]+@/, "//");
}
