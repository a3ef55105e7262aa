import { TokenStoreError } from "./errors.ts";

/** A held lock; release it when done. */
export interface SessionLockHandle {
  /** Releases the lock. */
  release(): Promise<void>;
}

/** A lock around read-refresh-write of a session, so only one refresh happens at a time. */
export interface SessionLock {
  /** Waits for the lock and holds it. */
  acquire(): Promise<SessionLockHandle>;
}

/** Options of {@linkcode FileLock}. */
export interface FileLockOptions {
  /**
   * Give up waiting after this many milliseconds.
   * @default {30000}
   */
  timeoutMs?: number;
}

/**
 * A cross-process {@linkcode SessionLock}: an exclusive OS file lock
 * (`flock` on Linux and macOS, `LockFileEx` on Windows) on a lock file next
 * to the session. The OS releases it when its process exits, so a crashed
 * process never leaves the session locked. The lock file is created 0600 and
 * never deleted (deleting lock files reintroduces the race they prevent).
 *
 * @example Serialise a critical section across processes
 * ```ts
 * import { FileLock } from "@ccgate/client";
 *
 * const dir = await Deno.makeTempDir();
 * const lock = new FileLock(`${dir}/session.lock`);
 * const held = await lock.acquire();
 * try {
 *   console.log("only one process at a time runs this");
 * } finally {
 *   await held.release();
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileLock implements SessionLock {
  /** The lock file's path. */
  readonly path: string;
  #timeoutMs: number;

  /**
   * Creates the instance.
   *
   * @param path The lock file; created (0600, in a 0700 folder) if missing.
   * @param options Timeout.
   */
  constructor(path: string, options: FileLockOptions = {}) {
    this.path = path;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * Waits for the exclusive lock.
   *
   * @returns The held lock.
   * @throws {TokenStoreError} `store_lock_timeout` when another process holds it too long,
   * `store_failed` when the lock file cannot be opened.
   */
  async acquire(): Promise<SessionLockHandle> {
    let file: Deno.FsFile;
    try {
      const dir = this.path.replace(/[\\/][^\\/]*$/, "");
      if (dir !== this.path && dir !== "") await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      file = await Deno.open(this.path, { read: true, write: true, create: true, mode: 0o600 });
    } catch (err) {
      throw new TokenStoreError("store_failed", `Cannot open the lock file "${this.path}"`, {
        cause: err,
      });
    }
    const locked = file.lock(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#timeoutMs);
    });
    const result = await Promise.race([locked.then(() => "locked" as const), timedOut]);
    clearTimeout(timer);
    if (result === "timeout") {
      // The pending lock call cannot be cancelled: close the file once it returns.
      locked.finally(() => file.close()).catch(() => {});
      throw new TokenStoreError(
        "store_lock_timeout",
        `Cannot lock "${this.path}": another process held it for ${this.#timeoutMs} ms`,
      );
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await file.unlock();
        } finally {
          file.close();
        }
      },
    };
  }
}
