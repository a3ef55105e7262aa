/**
 * The shape of the auth service's revocation feed, as
 * {@linkcode RevokedSessions} reads it: pages of revocations, oldest first.
 *
 * @module
 */

/** One revoked session, as the auth service's revocation feed lists it. */
export interface Revocation {
  /** The session id (an access token's `sid` claim). */
  sid: string;
  /** When it was revoked, ms since the epoch. */
  revokedAt: number;
  /** The session's absolute expiry, ms since the epoch: no token of it is valid after. */
  expiresAt: number;
}

/** What a {@linkcode RevocationFeedReader} is asked for: one page of the feed. */
export interface RevocationFeedQuery {
  /** Revocations made at or after this time, ms since the epoch. */
  since: number;
  /** The previous page's `next`: this page starts right after it. */
  after?: string;
  /** At most this many entries. */
  limit: number;
  /** The current time, ms since the epoch: entries whose session expired by then may be left out. */
  now: number;
}

/** One page of the revocation feed. */
export interface RevocationFeedPage {
  /** The revocations, oldest first. */
  revocations: Revocation[];
  /** Where the next page starts (an opaque cursor); absent on the last page. */
  next?: string;
}

/**
 * Reads one page of the revocation feed from somewhere else than its HTTP
 * endpoint (the auth service itself reads it from its KV), for
 * {@linkcode RevokedSessions}. What it throws counts as a failed pull
 * (`network_error`).
 *
 * @example A feed kept in memory
 * ```ts
 * import { type RevocationFeedReader, RevokedSessions } from "@ccgate/client";
 *
 * const now = Date.now();
 * const readPage: RevocationFeedReader = ({ since }) =>
 *   Promise.resolve({
 *     revocations: [{ sid: "s1", revokedAt: now, expiresAt: now + 3_600_000 }]
 *       .filter((r) => r.revokedAt >= since),
 *   });
 * using revoked = new RevokedSessions(readPage);
 * await revoked.refresh();
 * console.log(revoked.isRevoked("s1")); // true
 * ```
 */
export type RevocationFeedReader = (query: RevocationFeedQuery) => Promise<RevocationFeedPage>;
