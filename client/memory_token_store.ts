import type { StoredSession, TokenStore } from "./token_store.ts";

/**
 * A {@linkcode TokenStore} in memory: for tests, and for long-running
 * processes that sign in themselves.
 *
 * @example Keep a session in memory
 * ```ts
 * import { MemoryTokenStore } from "@ccgate/client";
 *
 * const store = new MemoryTokenStore();
 * await store.save({
 *   issuer: "https://ccgate.example.com",
 *   tokenEndpoint: "https://ccgate.example.com/oauth/token",
 *   accessToken: "eyJ...",
 *   expiresAt: Date.now() + 3_600_000,
 *   refreshToken: "r1",
 * });
 * console.log((await store.load())?.refreshToken); // "r1"
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  /** Always `"memory"`. */
  readonly kind = "memory";
  /** Always `"memory"`. */
  readonly location = "memory";
  #session?: StoredSession;

  /**
   * Creates the instance.
   *
   * @param session The initial session, if any.
   */
  constructor(session?: StoredSession) {
    this.#session = session ? { ...session } : undefined;
  }

  /** Returns a copy of the stored session. */
  load(): Promise<StoredSession | undefined> {
    return Promise.resolve(this.#session ? { ...this.#session } : undefined);
  }

  /** Replaces the stored session. */
  save(session: StoredSession): Promise<void> {
    this.#session = { ...session };
    return Promise.resolve();
  }

  /** Forgets the stored session. */
  clear(): Promise<void> {
    this.#session = undefined;
    return Promise.resolve();
  }
}
