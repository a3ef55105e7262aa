/**
 * KV writes retried when a KV file is busy. Deno KV keeps a local KV in an
 * SQLite file; when several processes open the same file (instances on one
 * host sharing `CCGATE_KV_PATH`), a write that meets another process's write
 * can fail at once with `TypeError: database is locked` (SQLite's
 * `SQLITE_BUSY`: the write was not applied), and a lock held longer fails
 * it after Deno's 5 s busy wait. Without a retry that was a 500 for a
 * sign-in or a refresh. One process alone never sees it (Deno serialises
 * its own writes), nor does a KV Connect server or Deno Deploy's KV.
 *
 * @module
 */
import { systemTimers, type Timers } from "./timers.ts";

/** Options of {@linkcode retryWhenLocked}. */
export interface RetryWhenLockedOptions {
  /**
   * How long one call keeps trying, ms: past it, the last error is thrown.
   * @default {10_000}
   */
  maxWaitMs?: number;
  /**
   * Clock and timers for the pause between tries (a random 0 to `5 × try`
   * ms, at most 50 ms).
   * @default systemTimers
   */
  timers?: Pick<Timers, "now" | "setTimeout">;
  /**
   * Random numbers in [0, 1) for the pause.
   * @default Math.random
   */
  random?: () => number;
}

/** Whether `err` is SQLite's "database is locked" as Deno KV reports it. */
export function isDatabaseLocked(err: unknown): boolean {
  return err instanceof TypeError && err.message.includes("database is locked");
}

const RETRIED = new Set<PropertyKey>(["get", "getMany", "set", "delete"]);

/**
 * The same KV, whose `set`, `delete`, `get`, `getMany` and atomic
 * `commit()` are tried again (for up to `maxWaitMs`, with a short random
 * pause) when they fail with "database is locked". Safe to retry: such a
 * write was not applied, and an atomic operation's checks are checked
 * again. Any other error, and the last one, is thrown as before.
 *
 * @param kv The KV.
 * @param options How long to keep trying, timers, randomness.
 * @returns The KV, retrying.
 *
 * @example
 * ```ts
 * import { retryWhenLocked } from "./retry_when_locked.ts";
 * using kv = retryWhenLocked(await Deno.openKv(":memory:"));
 * await kv.atomic().set(["k"], 1).commit();
 * console.assert((await kv.get(["k"])).value === 1);
 * ```
 */
export function retryWhenLocked(kv: Deno.Kv, options: RetryWhenLockedOptions = {}): Deno.Kv {
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const pause = (attempt: number) =>
    new Promise<void>((resolve) =>
      timers.setTimeout(resolve, Math.floor(random() * Math.min(50, 5 * attempt)))
    );
  async function retried<T>(write: () => Promise<T>): Promise<T> {
    const start = timers.now();
    for (let attempt = 1;; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (!isDatabaseLocked(err) || timers.now() - start >= maxWaitMs) throw err;
        await pause(attempt);
      }
    }
  }
  function atomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
    const proxy: Deno.AtomicOperation = new Proxy(op, {
      get(target, prop) {
        if (prop === "commit") return () => retried(() => target.commit());
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        // The builder's methods return the operation itself: keep handing out the proxy.
        return (...args: unknown[]) => {
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  }
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return () => atomic(target.atomic());
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (RETRIED.has(prop)) {
        return (...args: unknown[]) => retried(() => value.apply(target, args));
      }
      return value.bind(target);
    },
  });
}
