import { discover } from "./discover.ts";
import { RevocationFeedError } from "./errors.ts";
import { _checkKeySourceUrl } from "./_key_source_url.ts";
import { _httpRevocationFeed } from "./_http_revocation_feed.ts";
import type {
  Revocation,
  RevocationFeedPage,
  RevocationFeedReader,
} from "./revocation_feed_reader.ts";
import type { RevokedSessionsOptions, RevokedSessionsTimers } from "./revoked_sessions_options.ts";

/**
 * The sessions the ccgate auth service revoked (signed out, ended by an
 * admin, a refresh token reused), kept in memory from its public revocation
 * feed: pass {@linkcode RevokedSessions.isRevoked} to `verifyAccessToken` so
 * tokens of those sessions are refused before they expire.
 *
 * - `isRevoked` answers from memory and never waits. The feed is pulled every
 *   `refreshIntervalMs` once `start()`ed; without it, `isRevoked` starts a pull
 *   in the background whenever the last one is older than that.
 * - Each pull asks for revocations since the newest one seen, less
 *   `lookbackMs`, and reads every page. A revocation is kept until its
 *   session's absolute expiry, then forgotten.
 * - When a pull fails, the sessions known so far keep answering; what the
 *   pull read before it failed is kept, and the next pull goes on from there.
 *   `refresh()` rejects with a {@linkcode RevocationFeedError}, and `onError`
 *   hears of it.
 *
 * Plain `http:` is refused except to a loopback host, unless
 * `allowInsecureHttp`. Redirects are not followed.
 *
 * @example Refuse tokens of revoked sessions
 * ```ts
 * import { RevokedSessions, verifyAccessToken } from "@ccgate/client";
 *
 * const revoked = new RevokedSessions("https://ccgate.example.com/oauth/revocations");
 * const verify = (token: string) =>
 *   verifyAccessToken(token, {
 *     key: new URL("https://ccgate.example.com/.well-known/jwks.json"),
 *     issuer: "https://ccgate.example.com",
 *     audience: "ccgate",
 *     isRevoked: revoked.isRevoked,
 *   });
 * console.log(typeof verify);
 * ```
 */
export class RevokedSessions {
  readonly #read: RevocationFeedReader;
  readonly #now: () => Date;
  readonly #timers: RevokedSessionsTimers;
  readonly #onError: (error: RevocationFeedError) => void;
  readonly #revoked = new Map<string, number>();
  #since = 0;
  #lastPullAt = Number.NEGATIVE_INFINITY;
  #refreshedAt: number | undefined;
  #timer: number | undefined;
  #pending: Promise<void> | undefined;
  /** How often the feed is pulled, ms. */
  readonly refreshIntervalMs: number;
  /** How far before the newest revocation seen each pull asks again, ms. */
  readonly lookbackMs: number;
  /** Entries asked for per request. */
  readonly pageSize: number;

  /**
   * Creates the list, empty; nothing is read until `refresh()`, `start()` or
   * the first `isRevoked`.
   *
   * @param feed The feed's URL (the auth service's `ccgate_revocations_endpoint`,
   * `https://<ccgate>/oauth/revocations`), or a reader of your own.
   * @param options Timings, clock, timers, `fetch`, error reporting.
   * @throws {TypeError} When the URL is not http(s), or plain `http:` to
   * another host than loopback without `allowInsecureHttp`.
   * @throws {RangeError} When a timing is not a number from 1 (`lookbackMs`: 0) or
   * `pageSize` is not an integer from 1 to 10,000.
   *
   * @example Pull every 5 seconds, and stop on dispose
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * const fakeFeed = () =>
   *   Promise.resolve(Response.json({
   *     revocations: [{ sid: "s1", revoked_at: Date.now(), expires_at: Date.now() + 3_600_000 }],
   *   }));
   * using revoked = new RevokedSessions("https://ccgate.example.com/oauth/revocations", {
   *   fetch: fakeFeed,
   * }).start();
   * await revoked.refresh();
   * console.log(revoked.isRevoked("s1")); // true
   * ```
   */
  constructor(feed: URL | string | RevocationFeedReader, options: RevokedSessionsOptions = {}) {
    this.refreshIntervalMs = _checkMs("refreshIntervalMs", options.refreshIntervalMs ?? 5_000);
    this.lookbackMs = _checkMs("lookbackMs", options.lookbackMs ?? 120_000, 0);
    this.pageSize = options.pageSize ?? 1_000;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 10_000) {
      throw new RangeError(
        "Cannot read the revocation feed: pageSize must be an integer from 1 to 10000",
      );
    }
    const timeoutMs = _checkMs(
      "timeoutMs",
      options.timeoutMs ?? Math.max(1_000, this.refreshIntervalMs),
    );
    if (typeof feed === "function") {
      this.#read = feed;
    } else {
      const url = new URL(feed);
      if (!options.allowInsecureHttp || url.protocol !== "http:") {
        _checkKeySourceUrl(url, "the revocation feed");
      }
      this.#read = _httpRevocationFeed(url, { fetch: options.fetch, timeoutMs });
    }
    this.#now = options.now ?? (() => new Date());
    this.#timers = options.timers ?? {
      setInterval: (fn, ms) => setInterval(fn, ms) as unknown as number,
      clearInterval: (id) => clearInterval(id),
    };
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Finds the feed in the auth service's metadata
   * (`ccgate_revocations_endpoint`, see {@linkcode discover}) and creates the
   * list on it; nothing is pulled yet.
   *
   * @param url The ccgate URL: the auth service's (its issuer) or the gateway's.
   * @param options As for the constructor; `fetch` also reads the metadata.
   * @returns The list, not started.
   * @throws {TokenRequestError} As {@linkcode discover} does.
   * @throws {RevocationFeedError} `response_invalid` when the metadata names no feed.
   *
   * @example Start from the issuer URL
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * const fakeFetch: typeof fetch = (input) =>
   *   Promise.resolve(
   *     String(input).endsWith("/.well-known/oauth-authorization-server")
   *       ? Response.json({
   *         issuer: "https://ccgate.example.com",
   *         token_endpoint: "https://ccgate.example.com/oauth/token",
   *         ccgate_revocations_endpoint: "https://ccgate.example.com/oauth/revocations",
   *       })
   *       : Response.json({ revocations: [] }),
   *   );
   * using revoked = await RevokedSessions.fromIssuer("https://ccgate.example.com", {
   *   fetch: fakeFetch,
   * });
   * await revoked.refresh();
   * console.log(revoked.size); // 0
   * ```
   */
  static async fromIssuer(
    url: URL | string,
    options: RevokedSessionsOptions = {},
  ): Promise<RevokedSessions> {
    const metadata = await discover(url, {
      fetch: options.fetch,
      allowInsecureHttp: options.allowInsecureHttp,
    });
    if (metadata.revocationsEndpoint === undefined) {
      throw new RevocationFeedError(
        "response_invalid",
        `Cannot read the revocation feed of "${
          metadata.issuer.slice(0, 200)
        }": its metadata names no "ccgate_revocations_endpoint"`,
      );
    }
    return new RevokedSessions(metadata.revocationsEndpoint, options);
  }

  /**
   * Whether a session was revoked, from memory: never waits. Bound to this
   * list, so it can be passed as `isRevoked` as it is. When the last pull is
   * older than `refreshIntervalMs`, starts one in the background.
   *
   * @param sid The session id (an access token's `sid` claim).
   * @returns `true` while a revocation of the session is known and the session has not expired.
   *
   * @example
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * using revoked = new RevokedSessions(() => Promise.resolve({ revocations: [] }));
   * console.log(revoked.isRevoked("s1")); // false
   * ```
   */
  readonly isRevoked = (sid: string): boolean => {
    if (
      this.#pending === undefined &&
      this.#now().getTime() - this.#lastPullAt >= this.refreshIntervalMs
    ) {
      this.#background();
    }
    const expiresAt = this.#revoked.get(sid);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.#now().getTime()) {
      this.#revoked.delete(sid);
      return false;
    }
    return true;
  };

  /**
   * How many revoked sessions, not yet expired, are in memory.
   *
   * @example
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * using revoked = new RevokedSessions(() => Promise.resolve({ revocations: [] }));
   * console.log(revoked.size); // 0
   * ```
   */
  get size(): number {
    return this.#revoked.size;
  }

  /**
   * When the last pull that read the whole feed started (`undefined` until
   * one did): how stale the list may be.
   *
   * @example Report staleness in a readiness check
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * using revoked = new RevokedSessions(() => Promise.resolve({ revocations: [] }));
   * await revoked.refresh();
   * console.log(Date.now() - revoked.refreshedAt!.getTime() < 60_000); // true
   * ```
   */
  get refreshedAt(): Date | undefined {
    return this.#refreshedAt === undefined ? undefined : new Date(this.#refreshedAt);
  }

  /**
   * Pulls the feed now, every page of it: revocations since the newest one
   * seen, less `lookbackMs`. Concurrent calls share one pull.
   *
   * @returns When the whole feed was read.
   * @throws {RevocationFeedError} When it could not be; what was read so far
   * is kept, and the sessions known keep answering.
   *
   * @example Read the feed once before serving
   * ```ts
   * import { RevocationFeedError, RevokedSessions } from "@ccgate/client";
   *
   * using revoked = new RevokedSessions(() => Promise.reject(new Error("down")));
   * try {
   *   await revoked.refresh();
   * } catch (err) {
   *   if (err instanceof RevocationFeedError) console.log(err.code); // "network_error"
   * }
   * ```
   */
  refresh(): Promise<void> {
    return this.#pending ??= this.#pull().finally(() => this.#pending = undefined);
  }

  /**
   * Pulls the feed now and then every `refreshIntervalMs`, in the background
   * (failures go to `onError`), until `stop()` or dispose.
   *
   * @returns This list, for chaining.
   *
   * @example
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * using revoked = new RevokedSessions(() => Promise.resolve({ revocations: [] })).start();
   * await revoked.refresh(); // the pull start() began
   * ```
   */
  start(): this {
    if (this.#timer === undefined) {
      this.#timer = this.#timers.setInterval(() => this.#background(), this.refreshIntervalMs);
      this.#background();
    }
    return this;
  }

  /** Stops the periodic refresh (a pull in flight finishes). */
  stop(): void {
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the periodic refresh, as `stop()`: `using` a list stops it at the end of the block. */
  [Symbol.dispose](): void {
    this.stop();
  }

  /**
   * Adds a revocation known without the feed (your own service revoked the
   * session), effective at once. One whose session has expired is ignored.
   *
   * @param revocation The revocation.
   *
   * @example
   * ```ts
   * import { RevokedSessions } from "@ccgate/client";
   *
   * using revoked = new RevokedSessions(() => Promise.resolve({ revocations: [] }));
   * const now = Date.now();
   * revoked.remember({ sid: "s1", revokedAt: now, expiresAt: now + 3_600_000 });
   * console.log(revoked.isRevoked("s1")); // true
   * ```
   */
  remember(revocation: Revocation): void {
    if (revocation.expiresAt > this.#now().getTime()) {
      this.#revoked.set(revocation.sid, revocation.expiresAt);
    }
  }

  #background(): void {
    this.refresh().catch(() => {});
  }

  async #pull(): Promise<void> {
    const startedAt = this.#now().getTime();
    this.#lastPullAt = startedAt;
    const since = Math.max(0, this.#since - this.lookbackMs);
    const cursors = new Set<string>();
    let after: string | undefined;
    try {
      for (;;) {
        let page: RevocationFeedPage;
        try {
          page = await this.#read({ since, after, limit: this.pageSize, now: startedAt });
        } catch (err) {
          if (err instanceof RevocationFeedError) throw err;
          throw new RevocationFeedError("network_error", "Cannot read the revocation feed", {
            cause: err,
          });
        }
        for (const revocation of page.revocations) {
          this.remember(revocation);
          // Only as far as was read, so a failure on a later page resumes here; never past
          // this process's clock, so one entry from the future cannot skip later revocations.
          this.#since = Math.max(this.#since, Math.min(revocation.revokedAt, startedAt));
        }
        if (page.next === undefined) break;
        if (cursors.has(page.next)) {
          throw new RevocationFeedError(
            "response_invalid",
            "Cannot read the revocation feed: its next cursor does not move on",
          );
        }
        cursors.add(page.next);
        after = page.next;
      }
      this.#since = Math.max(this.#since, startedAt);
      this.#refreshedAt = startedAt;
    } catch (err) {
      this.#onError(err as RevocationFeedError);
      throw err;
    } finally {
      for (const [sid, expiresAt] of this.#revoked) {
        if (expiresAt <= startedAt) this.#revoked.delete(sid);
      }
    }
  }
}

function _checkMs(name: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`Cannot read the revocation feed: ${name} must be a number from ${min}`);
  }
  return value;
}
