import { TokenStoreError } from "./errors.ts";

/** The longest pause between two attempts to take a held lock, in milliseconds. */
const POLL_MAX_MS = 50;

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
 * While another process holds it, `acquire()` tries again every few
 * milliseconds (at most 50 ms apart) until `timeoutMs`; a wait that timed out
 * leaves nothing behind, so the process can exit at once.
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
   * @param path The lock file; created (0600) if missing, its folder too (0700; an existing
   * folder keeps its mode).
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
    // Non-blocking attempts, not `file.lock()`: that call waits in a thread and cannot be
    // cancelled, so after a timeout it would keep the process alive until the holder let go.
    const deadline = performance.now() + this.#timeoutMs;
    let pause = 5;
    for (;;) {
      let locked: boolean;
      try {
        locked = await file.tryLock(true);
      } catch (err) {
        file.close();
        throw new TokenStoreError("store_failed", `Cannot lock "${this.path}"`, { cause: err });
      }
      if (locked) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        file.close();
        throw new TokenStoreError(
          "store_lock_timeout",
          `Cannot lock "${this.path}": another process held it for ${this.#timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, POLL_MAX_MS);
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
