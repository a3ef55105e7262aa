import { SessionError, TokenRequestError, TokenStoreError } from "./errors.ts";
import type { SessionLock, SessionLockHandle } from "./file_lock.ts";
import { _refreshRetrying } from "./_refresh_retrying.ts";
import { revoke } from "./revoke.ts";
import type { TokenResponse } from "./token_response.ts";
import type { StoredSession, TokenStore } from "./token_store.ts";

/** What a {@linkcode TokenSession} needs from the outside world. */
export interface TokenSessionDeps {
  /**
   * The clock.
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * The `fetch` used to reach the auth service.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Waits between two attempts of a refresh whose answer was lost.
   * @default {(ms) => new Promise((resolve) => setTimeout(resolve, ms))}
   */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The longest access token lifetime a session believes, in seconds (the auth
 * service's own maximum): an `expires_in` beyond it is taken as a day, so a
 * wrong answer cannot stop the session from ever refreshing.
 */
const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** Options of {@linkcode TokenSession}. */
export interface TokenSessionOptions {
  /**
   * The lock held while a session is refreshed or replaced. Pass a
   * {@linkcode FileLock} when several processes share the store.
   * @default {an in-process lock}
   */
  lock?: SessionLock;
  /**
   * Refresh when the access token expires within this many seconds.
   * @default {300}
   */
  refreshAheadSeconds?: number;
  /**
   * Timeout of each request to the auth service, in milliseconds.
   * @default {10000}
   */
  timeoutMs?: number;
  /** Clock and `fetch`. */
  deps?: TokenSessionDeps;
}

/** Where a new session came from: the auth service's endpoints. */
export interface SessionEndpoints {
  /** The ccgate URL (auth service issuer). */
  issuer: string;
  /** The token endpoint (refresh). */
  tokenEndpoint: string;
  /** The revocation endpoint (logout), if any. */
  revocationEndpoint?: string;
  /** The `client_id` to send with refresh and revocation, if any. */
  clientId?: string;
}

/** Options of {@linkcode TokenSession.prototype.refresh}. */
export interface RefreshSessionOptions {
  /**
   * Refresh only when the access token expires within this many seconds;
   * `undefined` refreshes always.
   * @default {undefined}
   */
  ifExpiresWithinSeconds?: number;
}

/** What {@linkcode TokenSession.prototype.logout} did. */
export interface LogoutResult {
  /** Whether there was a session to forget. */
  hadSession: boolean;
  /** Whether the auth service confirmed the revocation. */
  revoked: boolean;
  /** Why revocation failed, when it did (the session is forgotten anyway). */
  error?: TokenRequestError;
  /**
   * Set when the store held something that is not a session: it was cleared
   * without a revocation (there was no token to revoke; the session on the
   * server ends when it expires).
   */
  unreadable?: true;
}

class InProcessLock implements SessionLock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<SessionLockHandle> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => release = resolve);
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    return previous.then(() => ({ release: () => Promise.resolve(release()) }));
  }
}

/**
 * A ccgate session held in a {@linkcode TokenStore}: returns a valid access
 * token, refreshing it ahead of expiry. Concurrent callers in one process
 * share one refresh; with a {@linkcode FileLock}, concurrent processes do
 * too: the refresh happens under the lock, and a process that waited finds
 * the successor already stored and uses it instead of rotating again.
 *
 * A refresh whose answer is lost (connection reset, timeout, HTTP 5xx, an
 * answer cut off) may have rotated the refresh token on the server; it is
 * retried at once with the same token, twice at most (after 0.5 s, then
 * 1.5 s, and never later than 20 s after the first attempt), inside the auth
 * service's grace window, where the server answers the same successor again
 * instead of ending the session as a reuse.
 *
 * @example Get a valid token
 * ```ts
 * import { MemoryTokenStore, TokenSession } from "@ccgate/client";
 *
 * const store = new MemoryTokenStore({
 *   issuer: "https://ccgate.example.com",
 *   tokenEndpoint: "https://ccgate.example.com/oauth/token",
 *   accessToken: "eyJ...",
 *   expiresAt: Date.now() + 3_600_000,
 *   refreshToken: "r1",
 * });
 * const session = new TokenSession(store);
 * console.log(await session.accessToken()); // "eyJ..."
 * ```
 */
export class TokenSession {
  /** Where the session lives. */
  readonly store: TokenStore;
  #lock: SessionLock;
  #aheadMs: number;
  #timeoutMs: number;
  #now: () => Date;
  #fetch?: typeof fetch;
  #sleep: (ms: number) => Promise<void>;
  /** The refresh in flight in this process; `within` is undefined for a forced one. */
  #pending?: { promise: Promise<StoredSession>; within?: number };

  /**
   * Creates the instance.
   *
   * @param store Where the session lives.
   * @param options Lock, refresh margin, timeout, clock and `fetch`.
   */
  constructor(store: TokenStore, options: TokenSessionOptions = {}) {
    this.store = store;
    this.#lock = options.lock ?? new InProcessLock();
    this.#aheadMs = (options.refreshAheadSeconds ?? 300) * 1000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.deps?.now ?? (() => new Date());
    this.#fetch = options.deps?.fetch;
    this.#sleep = options.deps?.sleep ??
      ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Returns the stored session, or `undefined` when signed out. */
  load(): Promise<StoredSession | undefined> {
    return this.store.load();
  }

  /**
   * Returns an access token valid for at least `refreshAheadSeconds`,
   * refreshing first when needed. When refreshing fails for a transient
   * reason (the auth service unreachable or failing, or the lock held by
   * another process past its timeout) but the stored token has not expired
   * yet, returns it.
   *
   * @returns The access token.
   * @throws {SessionError} `login_required` when there is no session or the auth service ended it.
   * @throws {TokenRequestError} When the token has expired and the auth service is unreachable.
   * @throws {TokenStoreError} When the store fails, or `store_lock_timeout` when the token
   * has expired and another process holds the lock.
   */
  async accessToken(): Promise<string> {
    const current = await this.store.load();
    if (current === undefined) throw new SessionError("login_required", "Not signed in");
    if (this.#fresh(current, this.#aheadMs)) return current.accessToken;
    try {
      return (await this.refresh({ ifExpiresWithinSeconds: this.#aheadMs / 1000 })).accessToken;
    } catch (err) {
      const lockTimeout = err instanceof TokenStoreError && err.code === "store_lock_timeout";
      if (!(err instanceof TokenRequestError || lockTimeout)) throw err;
      // Whoever holds the lock may have stored a successor meanwhile (stores replace atomically).
      const latest = lockTimeout ? await this.store.load().catch(() => undefined) : undefined;
      if (latest !== undefined && this.#fresh(latest, 0)) return latest.accessToken;
      if (this.#fresh(current, 0)) return current.accessToken;
      throw err;
    }
  }

  /**
   * Refreshes the session under the lock and stores the successor. When
   * `ifExpiresWithinSeconds` is set and the stored token (re-read under the
   * lock) is fresher than that, nothing is sent. Concurrent calls in one
   * process share one refresh when it serves them all: a forced call (or a
   * wider window) made while a conditional refresh is in flight waits for it,
   * then refreshes.
   *
   * @param options When to skip.
   * @returns The stored session after the refresh.
   * @throws {SessionError} `login_required` when there is no session or the auth
   * service refused the refresh token (the session is then forgotten).
   * @throws {TokenRequestError} When the auth service is unreachable or fails.
   */
  refresh(options: RefreshSessionOptions = {}): Promise<StoredSession> {
    const within = options.ifExpiresWithinSeconds;
    const pending = this.#pending;
    if (pending !== undefined) {
      // The one in flight serves this call when it is forced, or checks a window at least as wide.
      const serves = pending.within === undefined ||
        (within !== undefined && within <= pending.within);
      if (serves) return pending.promise;
      return pending.promise.catch(() => {}).then(() => this.refresh(options));
    }
    const promise = this.#refreshLocked(options).finally(() => {
      if (this.#pending?.promise === promise) this.#pending = undefined;
    });
    this.#pending = { promise, within };
    return promise;
  }

  /**
   * Stores a new session (after sign-in and token exchange), replacing any
   * previous one; the previous one is revoked, best effort.
   *
   * @param endpoints The auth service's endpoints and client id.
   * @param tokens The token exchange's answer.
   * @returns The stored session.
   */
  async start(endpoints: SessionEndpoints, tokens: TokenResponse): Promise<StoredSession> {
    const session: StoredSession = {
      issuer: endpoints.issuer,
      tokenEndpoint: endpoints.tokenEndpoint,
      revocationEndpoint: endpoints.revocationEndpoint,
      clientId: endpoints.clientId,
      accessToken: tokens.accessToken,
      expiresAt: this.#expiresAt(tokens),
      refreshToken: tokens.refreshToken,
    };
    const held = await this.#lock.acquire();
    try {
      const previous = await this.store.load().catch(() => undefined);
      await this.store.save(session);
      if (previous?.refreshToken && previous.refreshToken !== session.refreshToken) {
        await this.#revoke(previous).catch(() => {});
      }
      return session;
    } finally {
      await held.release();
    }
  }

  /**
   * Signs out: revokes the refresh token at the auth service (which ends the
   * whole session, access tokens included), then forgets the session
   * whatever the outcome. A store that holds something other than a session
   * (`store_corrupt`: cut off, overwritten, another version) is cleared: there
   * is no token in it to revoke, so `unreadable` is set and `revoked` is false.
   *
   * @returns Whether there was a session, whether the revocation succeeded,
   * whether the store was unreadable.
   * @throws {TokenStoreError} When the store or its lock fails (not when it is corrupt).
   */
  async logout(): Promise<LogoutResult> {
    const held = await this.#lock.acquire();
    try {
      let session: StoredSession | undefined;
      try {
        session = await this.store.load();
      } catch (err) {
        if (!(err instanceof TokenStoreError && err.code === "store_corrupt")) throw err;
        await this.store.clear();
        return { hadSession: true, revoked: false, unreadable: true };
      }
      if (session === undefined) return { hadSession: false, revoked: false };
      let error: TokenRequestError | undefined;
      try {
        await this.#revoke(session);
      } catch (err) {
        if (!(err instanceof TokenRequestError)) throw err;
        error = err;
      }
      await this.store.clear();
      return { hadSession: true, revoked: error === undefined, error };
    } finally {
      await held.release();
    }
  }

  #expiresAt(tokens: TokenResponse): number {
    return this.#now().getTime() + Math.min(tokens.expiresIn, MAX_TOKEN_LIFETIME_SECONDS) * 1000;
  }

  #fresh(session: StoredSession, marginMs: number): boolean {
    return session.expiresAt - this.#now().getTime() > marginMs;
  }

  async #revoke(session: StoredSession): Promise<void> {
    if (session.revocationEndpoint === undefined) {
      throw new TokenRequestError(
        "request_rejected",
        "Cannot revoke the session: the auth service has no revocation endpoint",
      );
    }
    await revoke(session.revocationEndpoint, session.refreshToken ?? session.accessToken, {
      tokenTypeHint: session.refreshToken ? "refresh_token" : "access_token",
      clientId: session.clientId,
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
    });
  }

  async #refreshLocked(options: RefreshSessionOptions): Promise<StoredSession> {
    const held = await this.#lock.acquire();
    try {
      const session = await this.store.load();
      if (session === undefined) throw new SessionError("login_required", "Not signed in");
      const within = options.ifExpiresWithinSeconds;
      if (within !== undefined && this.#fresh(session, within * 1000)) return session;
      if (session.refreshToken === undefined) {
        throw new SessionError("login_required", "Session has no refresh token");
      }
      let tokens: TokenResponse;
      try {
        tokens = await _refreshRetrying(session.tokenEndpoint, session.refreshToken, {
          clientId: session.clientId,
          fetch: this.#fetch,
          timeoutMs: this.#timeoutMs,
        }, { now: this.#now, sleep: this.#sleep });
      } catch (err) {
        if (err instanceof TokenRequestError && err.code === "grant_invalid") {
          await this.store.clear();
          throw new SessionError("login_required", "The ccgate session has ended", { cause: err });
        }
        throw err;
      }
      const next: StoredSession = {
        ...session,
        accessToken: tokens.accessToken,
        expiresAt: this.#expiresAt(tokens),
        refreshToken: tokens.refreshToken ?? session.refreshToken,
      };
      await this.store.save(next);
      return next;
    } finally {
      await held.release();
    }
  }
}
