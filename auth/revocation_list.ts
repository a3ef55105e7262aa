/**
 * Revoked ccgate sessions, as the gateway sees them on its hot path.
 *
 * KV layout: `["revoked", sid]` (point lookups) and
 * `["revocations", revokedAt, sid]` (the change feed), both with the
 * session's absolute expiry stored in the value (checked on read) and as a
 * lazy `expireIn`. After that expiry no token of the session can be valid
 * anyway, so the entry is no longer needed.
 *
 * The memory, its refresh, paging and pruning are the client library's
 * `RevokedSessions` (`@ccgate/client`, what integrators use over HTTP):
 * this list gives it the feed in KV (or its HTTP URL) and adds the writes.
 *
 * **Bounded delay.** {@linkcode RevocationList.isRevoked} answers from
 * memory and never awaits KV. The memory is refreshed every
 * `refreshIntervalMs` (default 5 s, `CCGATE_REVOCATION_REFRESH_MS`), so a
 * gateway rejects tokens of a revoked session at most one interval (plus
 * KV replication lag between Deno Deploy regions) after the revocation was
 * written; on the instance that revoked, immediately. Call `start()` (and
 * await `refresh()` once before serving, so a cold instance starts with the
 * full list); without a timer, `isRevoked` itself schedules a background
 * pull whenever the list is older than one interval. If KV cannot be read,
 * the last known list keeps answering and a warning is logged.
 *
 * **Paged, never truncated.** Every pull reads the feed page by page
 * (`pageSize`, default 1,000 entries a page) until it is exhausted, so a
 * cold instance learns every revocation however many there are. The
 * position only moves past what was actually read: a pull that fails
 * midway keeps what it got and the next pull goes on from there. Entries
 * whose session has expired are skipped and deleted on the way (KV's
 * `expireIn` is lazy, so they would otherwise stay and be read forever).
 *
 * **Separately deployed gateway.** The auth app serves the change feed at
 * `GET /oauth/revocations?since=<ms since epoch>[&limit=<n>][&after=<cursor>]`
 * → `{"revocations":[{"sid","revoked_at","expires_at"}],"next":"<cursor>"}`,
 * at most `limit` entries a page (at most 10,000; 10,000 without `limit`,
 * so a gateway that predates paging reads as much as it used to), oldest first;
 * `next` is there while more entries follow: ask again with `after=<next>`.
 * It is public by design and harmless: a `sid` is a random id, not a
 * credential, and the feed lists only sessions that can no longer be used
 * (no user ids, no tokens). A gateway in another deployment (`gateway/main.ts`)
 * reads it with the client library's `RevokedSessions`, as integrators do;
 * `new RevocationList({ url })` is the same list with this one's logging.
 *
 * @module
 */
import {
  type RevocationFeedError,
  RevokedSessions,
  type RevokedSessionsTimers,
} from "@ccgate/client";
import {
  addRevocation,
  DEFAULT_REVOCATION_PAGE_SIZE,
  type Revocation,
  revocationFeedReader,
} from "./revocation_feed.ts";

/** Timer functions, injectable so tests drive the refresh without sleeping. */
export type RevocationTimers = RevokedSessionsTimers;

/** Options of {@linkcode RevocationList}. Give `kv` (same KV as the auth service) or `url`. */
export interface RevocationListOptions {
  /** The auth service's KV. */
  kv?: Deno.Kv;
  /** The auth service's `GET /oauth/revocations` URL, for a gateway deployed separately. */
  url?: string | URL;
  /**
   * The `fetch` used with `url`.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * The clock.
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * How often the memory is refreshed, ms: the stated revocation delay.
   * @default {5_000}
   */
  refreshIntervalMs?: number;
  /**
   * Overlap of each incremental pull, ms: covers clock skew between
   * instances and KV replication lag.
   * @default {120_000}
   */
  lookbackMs?: number;
  /**
   * Entries read per page (per KV list or per HTTP request), at most
   * `MAX_REVOCATION_PAGE_SIZE` (10,000). Every pull reads all pages.
   * @default {1_000}
   */
  pageSize?: number;
  /**
   * Timers for the periodic refresh.
   * @default {globalThis}
   */
  timers?: RevocationTimers;
  /**
   * Where a failed refresh is reported.
   * @default {() => {}}
   */
  log?: (record: object) => void;
}

/** The in-memory view of revoked sessions, refreshed from KV or over HTTP. */
export class RevocationList {
  readonly #kv?: Deno.Kv;
  readonly #now: () => Date;
  readonly #sessions: RevokedSessions;

  /**
   * @param options Where revocations come from, clock, timings.
   *
   * @example Check sessions on the hot path
   * ```ts
   * import { RevocationList } from "@ccgate/auth";
   *
   * using kv = await Deno.openKv(":memory:");
   * using list = new RevocationList({ kv });
   * await list.revoke("sid-1", new Date(Date.now() + 3_600_000));
   * console.log(list.isRevoked("sid-1")); // true
   * ```
   */
  constructor(options: RevocationListOptions) {
    if (options.kv === undefined && options.url === undefined) {
      throw new TypeError("Cannot create a RevocationList: give it a kv or a url");
    }
    this.#kv = options.kv;
    this.#now = options.now ?? (() => new Date());
    const log = options.log ?? (() => {});
    this.#sessions = new RevokedSessions(
      options.kv !== undefined ? revocationFeedReader(options.kv) : options.url!,
      {
        fetch: options.fetch,
        // An operator's setting (CCGATE_REVOCATIONS_URL), on a private network perhaps.
        allowInsecureHttp: true,
        now: this.#now,
        timers: options.timers,
        refreshIntervalMs: options.refreshIntervalMs,
        lookbackMs: options.lookbackMs,
        pageSize: options.pageSize ?? DEFAULT_REVOCATION_PAGE_SIZE,
        onError: (err: RevocationFeedError) =>
          log({
            level: "warn",
            msg: "cannot refresh the revocation list; answering from the last known list",
            error: err.code,
          }),
      },
    );
  }

  /** How often the memory is refreshed, ms: the bound on the revocation delay. */
  get refreshIntervalMs(): number {
    return this.#sessions.refreshIntervalMs;
  }

  /** Overlap of each incremental pull, ms. */
  get lookbackMs(): number {
    return this.#sessions.lookbackMs;
  }

  /** Entries read per page. */
  get pageSize(): number {
    return this.#sessions.pageSize;
  }

  /**
   * Whether the session was revoked, from memory: never awaits anything.
   * Without `start()`, a list older than one interval schedules a pull in
   * the background.
   *
   * @param sid The session id (a token's `sid` claim).
   * @returns `true` if a revocation of the session is known and the session has not expired.
   */
  isRevoked(sid: string): boolean {
    return this.#sessions.isRevoked(sid);
  }

  /** Number of revoked, unexpired sessions in memory. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Pulls revocations written since the last pull (minus the lookback) into
   * memory, every page of them. Concurrent calls share one pull. Never
   * throws: a failure is logged, what was read so far stays, and the next
   * pull goes on from there.
   */
  refresh(): Promise<void> {
    return this.#sessions.refresh().catch(() => {});
  }

  /**
   * Starts refreshing every `refreshIntervalMs`, beginning now.
   *
   * @returns This list, for chaining.
   */
  start(): this {
    this.#sessions.start();
    return this;
  }

  /** Stops the periodic refresh. */
  stop(): void {
    this.#sessions.stop();
  }

  /** Stops the periodic refresh. */
  [Symbol.dispose](): void {
    this.stop();
  }

  /**
   * Records a revocation in KV and in this list's memory (effective here at
   * once, elsewhere within one refresh interval).
   *
   * @param sid The session.
   * @param expiresAt The session's absolute expiry.
   * @throws {TypeError} When the list was created with a `url` instead of a `kv`.
   * @throws {ParameterTooLongError} When `sid` is longer than `MAX_SUBJECT_LENGTH`.
   */
  async revoke(sid: string, expiresAt: Date): Promise<void> {
    if (this.#kv === undefined) {
      throw new TypeError("Cannot revoke: this RevocationList reads over HTTP and has no KV");
    }
    const revocation = { sid, revokedAt: this.#now().getTime(), expiresAt: expiresAt.getTime() };
    const result = await addRevocation(this.#kv.atomic(), revocation, revocation.revokedAt)
      .commit();
    if (!result.ok) throw new Error("Cannot revoke: the KV commit failed");
    this.remember(revocation);
  }

  /**
   * Adds a revocation written elsewhere to memory (the auth app calls this
   * after it revoked a session in its own atomic operation).
   *
   * @param revocation The revocation.
   */
  remember(revocation: Revocation): void {
    this.#sessions.remember(revocation);
  }
}
