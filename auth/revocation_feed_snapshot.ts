/**
 * The public revocation feed (`GET /oauth/revocations`, anyone may call it)
 * answered from memory: however often it is asked, an instance reads KV at
 * most once per `maxAgeMs`.
 *
 * @module
 */
import {
  readRevocationPage,
  type Revocation,
  type RevocationCursor,
  type RevocationPage,
} from "./revocation_feed.ts";

/** Options of {@linkcode RevocationFeedSnapshot}. */
export interface RevocationFeedSnapshotOptions {
  /** The clock. */
  now: () => Date;
  /**
   * How old the snapshot may be before a page refreshes it from KV, ms: the
   * most KV is read for the feed, whatever the request rate, is once per
   * `maxAgeMs`, and what another instance revoked shows this late at most.
   * @default {1_000}
   */
  maxAgeMs?: number;
  /**
   * Overlap of each refresh after the first, ms: entries revoked this long
   * before the previous refresh started are read again, for revocations
   * another instance stamped with its own (skewed) clock or was still
   * committing.
   * @default {120_000}
   */
  lookbackMs?: number;
  /**
   * Entries read per KV list while refreshing.
   * @default {1_000}
   */
  pageSize?: number;
}

/**
 * Every unexpired entry of the revocation feed in memory, in the feed's
 * order (`revokedAt`, then session id as KV orders it), refreshed from KV
 * when a page is asked for and the snapshot is older than `maxAgeMs`:
 * concurrent pages share one refresh, and its outcome (a failure too)
 * answers every page until it is `maxAgeMs` old. The first refresh reads the
 * whole feed; later ones only what was revoked since the previous one began,
 * less `lookbackMs`. Expired entries met in KV are deleted there
 * ({@linkcode readRevocationPage}) and dropped here.
 *
 * Pages keep the HTTP feed's contract: `since` (revoked at or after),
 * `after` (right after the previous page's last entry, `since` aside),
 * `limit`, and `next` while more entries follow.
 *
 * A revocation made by this instance is {@linkcode RevocationFeedSnapshot.remember}ed
 * and served at once; one made by another instance sharing the KV, within
 * `maxAgeMs` (plus its commit time).
 *
 * @example Answer pages from memory
 * ```ts
 * import { addRevocation } from "./revocation_feed.ts";
 * import { RevocationFeedSnapshot } from "./revocation_feed_snapshot.ts";
 *
 * using kv = await Deno.openKv(":memory:");
 * const now = Date.now();
 * await addRevocation(kv.atomic(), { sid: "s1", revokedAt: now, expiresAt: now + 60_000 }, now)
 *   .commit();
 * const feed = new RevocationFeedSnapshot(kv, { now: () => new Date(now) });
 * const page = await feed.page({ since: 0, limit: 100 });
 * console.log(page.revocations.map((r) => r.sid)); // ["s1"]
 * ```
 */
export class RevocationFeedSnapshot {
  readonly #kv: Deno.Kv;
  readonly #now: () => Date;
  readonly #maxAgeMs: number;
  readonly #lookbackMs: number;
  readonly #pageSize: number;
  // By cursor text (`revokedAt:sid`, as the feed's keys), so one session revoked twice is listed
  // twice, as KV has it.
  readonly #entries = new Map<string, Revocation>();
  #sorted: Revocation[] | undefined;
  #refresh: { at: number; running: boolean; done: Promise<void> } | undefined;
  // Where the next refresh starts reading (less the lookback); undefined: the whole feed.
  #since: number | undefined;

  /**
   * @param kv The auth service's KV.
   * @param options Clock and timings.
   */
  constructor(kv: Deno.Kv, options: RevocationFeedSnapshotOptions) {
    this.#kv = kv;
    this.#now = options.now;
    this.#maxAgeMs = options.maxAgeMs ?? 1_000;
    this.#lookbackMs = options.lookbackMs ?? 120_000;
    this.#pageSize = options.pageSize ?? 1_000;
  }

  /**
   * Adds a revocation this instance just committed: in the next page at
   * once, without waiting for a refresh.
   *
   * @param revocation The revocation, as written to the feed.
   */
  remember(revocation: Revocation): void {
    this.#add(revocation);
  }

  /**
   * One page of the feed, from memory, after a refresh from KV if the
   * snapshot is `maxAgeMs` old.
   *
   * @param query `since` (ms since the epoch), or `after` (a previous page's
   * `next`); `limit`, the most entries of the page.
   * @returns The page: unexpired revocations, oldest first, with `next`
   * while more follow.
   * @throws {Error} When the refresh from KV failed (for `maxAgeMs`, every page does).
   */
  async page(
    query: { since: number; after?: RevocationCursor; limit: number },
  ): Promise<RevocationPage> {
    await this.#fresh();
    const now = this.#now().getTime();
    const sorted = this.#sorted ??= [...this.#entries.values()].sort(_compareEntries);
    let i = query.after !== undefined
      ? _firstAfter(sorted, query.after)
      : _firstAtOrAfter(sorted, query.since);
    const revocations: Revocation[] = [];
    for (; i < sorted.length && revocations.length < query.limit; i++) {
      if (sorted[i]!.expiresAt > now) revocations.push(sorted[i]!);
    }
    // Entries left may all have expired meanwhile: `next` says more *may* follow.
    const last = revocations.at(-1);
    return i < sorted.length && last !== undefined
      ? { revocations, next: { revokedAt: last.revokedAt, sid: last.sid } }
      : { revocations };
  }

  // The last refresh while it runs or is younger than maxAgeMs, else a new one: one at a time.
  #fresh(): Promise<void> {
    const now = this.#now().getTime();
    const last = this.#refresh;
    if (last === undefined || (!last.running && now - last.at >= this.#maxAgeMs)) {
      const refresh = { at: now, running: true, done: Promise.resolve() };
      refresh.done = this.#pull(now).finally(() => refresh.running = false);
      refresh.done.catch(() => {}); // reported to every page that awaits it, never unhandled
      this.#refresh = refresh;
    }
    return this.#refresh!.done;
  }

  // Reads what was revoked since the previous refresh (less the lookback), page by page, and
  // adds it only once all of it was read, so a failed refresh changes nothing.
  async #pull(startedAt: number): Promise<void> {
    const since = this.#since === undefined ? 0 : Math.max(0, this.#since - this.#lookbackMs);
    const read: Revocation[] = [];
    let after: RevocationCursor | undefined;
    do {
      const page = await readRevocationPage(this.#kv, {
        since,
        now: startedAt,
        after,
        limit: this.#pageSize,
      });
      read.push(...page.revocations);
      after = page.next;
    } while (after !== undefined);
    for (const revocation of read) this.#add(revocation);
    for (const [key, revocation] of this.#entries) {
      if (revocation.expiresAt <= startedAt) {
        this.#entries.delete(key);
        this.#sorted = undefined;
      }
    }
    this.#since = startedAt;
  }

  #add(revocation: Revocation): void {
    const key = `${revocation.revokedAt}:${revocation.sid}`;
    if (this.#entries.has(key)) return;
    this.#entries.set(key, {
      sid: revocation.sid,
      revokedAt: revocation.revokedAt,
      expiresAt: revocation.expiresAt,
    });
    this.#sorted = undefined;
  }
}

// The feed's KV key order: `revokedAt`, then the session id's UTF-8 bytes.
function _compareEntries(a: Revocation, b: Revocation): number {
  return a.revokedAt - b.revokedAt || _compareUtf8(a.sid, b.sid);
}

// Compares two strings as their UTF-8 bytes (KV's order). UTF-16 code units order the same
// except a surrogate (U+D800..U+DFFF, part of a character past U+FFFF) against U+E000..U+FFFF,
// whose UTF-8 bytes are smaller.
function _compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// Index of the first entry revoked at or after `since`.
function _firstAtOrAfter(sorted: Revocation[], since: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.revokedAt < since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Index of the first entry right after the cursor's (which need not be in the snapshot).
function _firstAfter(sorted: Revocation[], cursor: RevocationCursor): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = sorted[mid]!;
    if ((e.revokedAt - cursor.revokedAt || _compareUtf8(e.sid, cursor.sid)) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
