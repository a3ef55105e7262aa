/**
 * Revoked ccgate sessions, as the gateway sees them on its hot path.
 *
 * KV layout: `["revoked", sid]` (point lookups) and
 * `["revocations", revokedAt, sid]` (the change feed), both with the
 * session's absolute expiry stored in the value (checked on read) and as a
 * lazy `expireIn`. After that expiry no token of the session can be valid
 * anyway, so the entry is no longer needed.
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
 * (no user ids, no tokens). A gateway in another deployment builds its list
 * with `new RevocationList({ url: "https://<auth>/oauth/revocations" })`.
 *
 * @module
 */
import {
  addRevocation,
  checkPageSize,
  cursorAdvances,
  DEFAULT_REVOCATION_PAGE_SIZE,
  formatRevocationCursor,
  parseRevocationCursor,
  readRevocationPage,
  type Revocation,
  type RevocationCursor,
  type RevocationPage,
} from "./revocation_feed.ts";

/** Timer functions, injectable so tests drive the refresh without sleeping. */
export interface RevocationTimers {
  /** Like `globalThis.setInterval`. */
  setInterval(fn: () => void, ms: number): number;
  /** Like `globalThis.clearInterval`. */
  clearInterval(id: number): void;
}

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
  readonly #url?: URL;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #timers: RevocationTimers;
  readonly #log: (record: object) => void;
  readonly #revoked = new Map<string, number>();
  #since = 0;
  #lastPullAt = Number.NEGATIVE_INFINITY;
  #timer: number | undefined;
  #refreshing: Promise<void> | undefined;
  /** How often the memory is refreshed, ms: the bound on the revocation delay. */
  readonly refreshIntervalMs: number;
  /** Overlap of each incremental pull, ms. */
  readonly lookbackMs: number;
  /** Entries read per page. */
  readonly pageSize: number;

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
    this.#url = options.url === undefined ? undefined : new URL(options.url);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? (() => new Date());
    this.#timers = options.timers ?? {
      setInterval: (fn, ms) => setInterval(fn, ms) as unknown as number,
      clearInterval: (id) => clearInterval(id),
    };
    this.#log = options.log ?? (() => {});
    this.refreshIntervalMs = options.refreshIntervalMs ?? 5_000;
    this.lookbackMs = options.lookbackMs ?? 120_000;
    this.pageSize = checkPageSize(options.pageSize ?? DEFAULT_REVOCATION_PAGE_SIZE);
  }

  /**
   * Whether the session was revoked, from memory: never awaits anything.
   *
   * @param sid The session id (a token's `sid` claim).
   * @returns `true` if a revocation of the session is known and the session has not expired.
   */
  isRevoked(sid: string): boolean {
    // Self-driving even without start(): a stale list schedules a pull in the
    // background (never awaited here), at most one per interval.
    if (
      this.#refreshing === undefined &&
      this.#now().getTime() - this.#lastPullAt >= this.refreshIntervalMs
    ) {
      void this.refresh();
    }
    const expiresAt = this.#revoked.get(sid);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.#now().getTime()) {
      this.#revoked.delete(sid);
      return false;
    }
    return true;
  }

  /** Number of revoked, unexpired sessions in memory. */
  get size(): number {
    return this.#revoked.size;
  }

  /**
   * Pulls revocations written since the last pull (minus the lookback) into
   * memory, every page of them. Concurrent calls share one pull. Never
   * throws: a failure is logged, what was read so far stays, and the next
   * pull goes on from there.
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#pull().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * Starts refreshing every `refreshIntervalMs`, beginning now.
   *
   * @returns This list, for chaining.
   */
  start(): this {
    if (this.#timer === undefined) {
      this.#timer = this.#timers.setInterval(() => void this.refresh(), this.refreshIntervalMs);
      void this.refresh();
    }
    return this;
  }

  /** Stops the periodic refresh. */
  stop(): void {
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
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
    if (revocation.expiresAt > this.#now().getTime()) {
      this.#revoked.set(revocation.sid, revocation.expiresAt);
    }
  }

  async #pull(): Promise<void> {
    const startedAt = this.#now().getTime();
    this.#lastPullAt = startedAt;
    const since = Math.max(0, this.#since - this.lookbackMs);
    let after: RevocationCursor | undefined;
    try {
      do {
        const page = this.#kv !== undefined
          ? await readRevocationPage(this.#kv, {
            since,
            now: startedAt,
            after,
            limit: this.pageSize,
          })
          : await this.#pullHttp(since, after);
        for (const revocation of page.revocations) this.remember(revocation);
        if (page.next !== undefined) {
          if (after !== undefined && !cursorAdvances(page.next, after)) {
            throw new Error("Cannot pull revocations: the feed's cursor went backwards");
          }
          // Only as far as was read: a failure on a later page resumes here.
          this.#since = Math.max(this.#since, page.next.revokedAt);
        }
        after = page.next;
      } while (after !== undefined);
      this.#since = Math.max(this.#since, startedAt);
    } catch (err) {
      this.#log({
        level: "warn",
        msg: "cannot refresh the revocation list; answering from the last known list",
        error: err instanceof Error ? err.name : typeof err,
      });
    } finally {
      for (const [sid, expiresAt] of this.#revoked) {
        if (expiresAt <= startedAt) this.#revoked.delete(sid);
      }
    }
  }

  async #pullHttp(since: number, after: RevocationCursor | undefined): Promise<RevocationPage> {
    const url = new URL(this.#url!);
    url.searchParams.set("since", String(since));
    url.searchParams.set("limit", String(this.pageSize));
    if (after !== undefined) url.searchParams.set("after", formatRevocationCursor(after));
    const response = await this.#fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(Math.max(1_000, this.refreshIntervalMs)),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Cannot pull revocations: HTTP ${response.status}`);
    }
    const body = await response.json() as { revocations?: unknown; next?: unknown };
    if (!Array.isArray(body.revocations)) throw new Error("Cannot pull revocations: bad body");
    const revocations = body.revocations.flatMap((r: Record<string, unknown>) =>
      typeof r?.sid === "string" && typeof r.revoked_at === "number" &&
        typeof r.expires_at === "number"
        ? [{ sid: r.sid, revokedAt: r.revoked_at, expiresAt: r.expires_at }]
        : []
    );
    if (body.next === undefined || body.next === null) return { revocations };
    const next = typeof body.next === "string" ? parseRevocationCursor(body.next) : undefined;
    if (next === undefined) throw new Error("Cannot pull revocations: bad next cursor");
    return { revocations, next };
  }
}
