/**
 * The revocation feed in KV: what a revocation writes, and how the feed is
 * read a page at a time (oldest first, skipping and deleting entries whose
 * session has expired, since KV's `expireIn` is lazy). The auth service
 * serves it over HTTP (`revocations_route.ts`) from memory, refreshed from
 * KV at most once a second (`revocation_feed_snapshot.ts`); {@linkcode RevocationList}
 * (`revocation_list.ts`) keeps the gateway's in-memory view of it, through
 * {@linkcode revocationFeedReader}.
 *
 * KV layout: `["revoked", sid]` (point lookups) and
 * `["revocations", revokedAt, sid]` (the change feed), both with the
 * session's absolute expiry stored in the value (checked on read) and as a
 * lazy `expireIn`.
 *
 * @module
 */
import type { Revocation, RevocationFeedReader } from "@ccgate/client";
import { checkIdLength, MAX_SUBJECT_LENGTH } from "./check_id_length.ts";

/** One revoked session (the client library's type: the feed's entries are these). */
export type { Revocation };

/** Where a page of the feed ended: the next page starts right after this entry. */
export interface RevocationCursor {
  /** The last entry's revocation time, ms since the epoch. */
  revokedAt: number;
  /** The last entry's session id. */
  sid: string;
}

/** One page of the revocation feed. */
export interface RevocationPage {
  /** Revocations of sessions that have not expired, oldest first. */
  revocations: Revocation[];
  /** Where the next page starts; absent once the feed is exhausted. */
  next?: RevocationCursor;
}

/** Entries a page holds unless told otherwise: what {@linkcode RevocationList} reads per page. */
export const DEFAULT_REVOCATION_PAGE_SIZE = 1_000;

/**
 * Most entries one page of the feed holds: the most a single pull read
 * before the feed was paged, and what the HTTP feed serves without `limit`.
 */
export const MAX_REVOCATION_PAGE_SIZE = 10_000;

// Bounded where they become keys: a long id is a 400, never a KV error.
const revokedKey = (sid: string) => ["revoked", checkIdLength(sid, 'Session id "sid"')] as const;
const feedKey = (revokedAt: number, sid: string) =>
  ["revocations", revokedAt, checkIdLength(sid, 'Session id "sid"')] as const;

/**
 * Adds the KV writes of a revocation to an atomic operation, so a session
 * can be marked revoked and published in the feed in one commit.
 *
 * @param op The atomic operation to extend.
 * @param revocation The revocation.
 * @param now Current time, ms since the epoch (for `expireIn`).
 * @returns `op`, for chaining.
 * @throws {ParameterTooLongError} When the session id is longer than `MAX_SUBJECT_LENGTH`.
 */
export function addRevocation(
  op: Deno.AtomicOperation,
  revocation: Revocation,
  now: number,
): Deno.AtomicOperation {
  const expireIn = Math.max(1_000, revocation.expiresAt - now);
  return op
    .set(revokedKey(revocation.sid), revocation, { expireIn })
    .set(feedKey(revocation.revokedAt, revocation.sid), revocation, { expireIn });
}

/**
 * Reads one page of the feed: entries written at or after `since` (or
 * right after `after`), oldest first, at most `limit` of them. Entries
 * whose session has expired are not returned and are deleted (with their
 * `["revoked", sid]` record); they still count toward `limit`, which bounds
 * the KV reads of a page.
 *
 * @param kv The auth service's KV.
 * @param options `since` and `now` in ms since the epoch; `after`, the
 * previous page's `next`; `limit` (default
 * {@linkcode DEFAULT_REVOCATION_PAGE_SIZE}, at most {@linkcode MAX_REVOCATION_PAGE_SIZE}).
 * @returns The page, with `next` while more entries may follow.
 */
export async function readRevocationPage(
  kv: Deno.Kv,
  options: { since: number; now: number; after?: RevocationCursor; limit?: number },
): Promise<RevocationPage> {
  const limit = checkPageSize(options.limit ?? DEFAULT_REVOCATION_PAGE_SIZE);
  // Right after the cursor's key: a longer key with the same parts sorts after it, and an
  // empty byte array is the smallest key part.
  const start = options.after !== undefined
    ? [...feedKey(options.after.revokedAt, options.after.sid), new Uint8Array()]
    : ["revocations", options.since];
  const revocations: Revocation[] = [];
  const expired: Revocation[] = [];
  let last: RevocationCursor | undefined;
  let read = 0;
  for await (const entry of kv.list<Revocation>({ prefix: ["revocations"], start }, { limit })) {
    read++;
    const [, revokedAt, sid] = entry.key;
    last = { revokedAt: revokedAt as number, sid: sid as string };
    if (entry.value.expiresAt > options.now) revocations.push(entry.value);
    else expired.push({ ...entry.value, revokedAt: last.revokedAt, sid: last.sid });
  }
  await _prune(kv, expired);
  return read === limit && last !== undefined ? { revocations, next: last } : { revocations };
}

/**
 * Lists every revocation written at or after `since` whose session has not
 * expired, oldest first, reading the feed page by page (and pruning expired
 * entries, see {@linkcode readRevocationPage}).
 *
 * @param kv The auth service's KV.
 * @param options `since` and `now` in ms since the epoch; `pageSize` (default 1,000).
 * @returns The revocations.
 */
export async function listRevocations(
  kv: Deno.Kv,
  options: { since: number; now: number; pageSize?: number },
): Promise<Revocation[]> {
  const out: Revocation[] = [];
  let after: RevocationCursor | undefined;
  do {
    const page = await readRevocationPage(kv, { ...options, after, limit: options.pageSize });
    out.push(...page.revocations);
    after = page.next;
  } while (after !== undefined);
  return out;
}

/**
 * The feed in KV as the client library's `RevokedSessions` reads it: one
 * {@linkcode readRevocationPage} per query, the cursor in its text form (as
 * over HTTP).
 *
 * @param kv The auth service's KV.
 * @returns The reader.
 */
export function revocationFeedReader(kv: Deno.Kv): RevocationFeedReader {
  return async ({ since, after, limit, now }) => {
    const cursor = after === undefined ? undefined : parseRevocationCursor(after);
    if (after !== undefined && cursor === undefined) {
      throw new TypeError("Cannot read the revocation feed: the cursor is not one of its own");
    }
    const page = await readRevocationPage(kv, { since, now, after: cursor, limit });
    return page.next === undefined
      ? { revocations: page.revocations }
      : { revocations: page.revocations, next: formatRevocationCursor(page.next) };
  };
}

/**
 * The text form of a cursor in the HTTP feed (`next`, `after`):
 * `<revoked_at>:<sid>`.
 *
 * @param cursor The cursor.
 * @returns Its text form.
 */
export function formatRevocationCursor(cursor: RevocationCursor): string {
  return `${cursor.revokedAt}:${cursor.sid}`;
}

/**
 * Parses {@linkcode formatRevocationCursor}'s text form.
 *
 * @param text The text.
 * @returns The cursor, or `undefined` if the text is not one.
 */
export function parseRevocationCursor(text: string): RevocationCursor | undefined {
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  if (match === null || match[2]!.length > MAX_SUBJECT_LENGTH) return undefined;
  return { revokedAt: Number(match[1]), sid: match[2]! };
}

export function checkPageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_REVOCATION_PAGE_SIZE) {
    throw new RangeError(
      `Cannot page revocations: the page size must be an integer from 1 to ${MAX_REVOCATION_PAGE_SIZE}`,
    );
  }
  return size;
}

// Expired revocations matter no more (no token of the session can be valid); KV's expireIn
// would drop them only lazily. At most 1,000 mutations per atomic operation: 2 per entry.
async function _prune(kv: Deno.Kv, expired: Revocation[]): Promise<void> {
  for (let i = 0; i < expired.length; i += 500) {
    const op = kv.atomic();
    for (const r of expired.slice(i, i + 500)) {
      op.delete(feedKey(r.revokedAt, r.sid)).delete(revokedKey(r.sid));
    }
    await op.commit();
  }
}
