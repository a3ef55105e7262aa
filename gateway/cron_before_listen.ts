/**
 * `Deno.cron` jobs registered before the server starts, with handlers that
 * need what is built after it: Deno Deploy picks up only the crons a module
 * registers at its top level before any server starts, while the entry
 * points listen first (so `/healthz` answers during start-up) and build
 * their KV, keys and log afterwards. No imports: the entry points import
 * this statically, before they listen.
 *
 * @module
 */

/** Registers a cron job: `Deno.cron` (name, schedule, handler). */
export type CronFn = (
  name: string,
  schedule: string,
  handler: () => Promise<void>,
) => Promise<void>;

/** A cron job registered now whose handler runs once {@linkcode CronBeforeListen.ready} is called. */
export interface CronBeforeListen<T> {
  /** Gives the handler what it needs; runs before this wait for it. Call once. */
  ready(value: T): void;
}

/**
 * Registers a cron job at once (call it at the top of the entry point,
 * before it listens); each run waits until `ready` has given the handler
 * its value, then calls `handler` with it.
 *
 * @param cron `Deno.cron`, or a fake in tests.
 * @param name The job's name.
 * @param schedule Its cron schedule (UTC).
 * @param handler The work, given the value passed to `ready`.
 * @returns The handle whose `ready` supplies the value.
 *
 * @example
 * ```ts ignore
 * const rotation = cronBeforeListen(Deno.cron, "rotate", "*\/15 * * * *", (keys: Keys) => keys.rotate());
 * // ... listen, open KV, build keys ...
 * rotation.ready(keys);
 * ```
 */
export function cronBeforeListen<T>(
  cron: CronFn,
  name: string,
  schedule: string,
  handler: (value: T) => Promise<void> | void,
): CronBeforeListen<T> {
  let resolve!: (value: T) => void;
  const value = new Promise<T>((r) => (resolve = r));
  // The registration's promise settles when the job is closed (never, in these servers).
  cron(name, schedule, async () => await handler(await value)).catch(() => {});
  return { ready: (v) => resolve(v) };
}
