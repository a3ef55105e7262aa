import type { Handler } from "hono";
import { InvalidRequestError, RevocationFeedUnavailableError } from "./errors.ts";
import {
  formatRevocationCursor,
  MAX_REVOCATION_PAGE_SIZE,
  parseRevocationCursor,
  type RevocationPage,
} from "./revocation_feed.ts";
import type { RevocationFeedSnapshot } from "./revocation_feed_snapshot.ts";

/** What {@linkcode revocationsRoute} needs. */
export interface RevocationsRouteOptions {
  /** The feed in memory (the app's, which revocations on this instance reach at once). */
  feed: RevocationFeedSnapshot;
}

/**
 * `GET /oauth/revocations?since=<ms>[&limit=<n>][&after=<cursor>]`: one page
 * of the public feed of revoked session ids (see `revocation_list.ts`),
 * `{"revocations":[{"sid","revoked_at","expires_at"}],"next":"<cursor>"}`.
 * At most `limit` entries, at most 10,000 (also the default, so a gateway
 * that predates paging reads as much as it used to); `next` is present
 * while more may follow, and the client asks again with `after=<next>`.
 *
 * Anyone may call it, so it is answered from memory
 * ({@linkcode RevocationFeedSnapshot}): KV is read at most once a second
 * per instance however many requests come. When KV cannot be read: 503
 * `temporarily_unavailable` with `retry-after: 1`.
 *
 * @param options Dependencies.
 * @returns The handler.
 */
export function revocationsRoute(options: RevocationsRouteOptions): Handler {
  return async function revocations(c) {
    const sinceParam = c.req.query("since") ?? "0";
    if (!/^\d{1,16}$/.test(sinceParam)) {
      throw new InvalidRequestError(
        'Query parameter "since" must be milliseconds since the epoch',
      );
    }
    const limitParam = c.req.query("limit") ?? String(MAX_REVOCATION_PAGE_SIZE);
    const limit = /^\d{1,6}$/.test(limitParam) ? Number(limitParam) : 0;
    if (limit < 1 || limit > MAX_REVOCATION_PAGE_SIZE) {
      throw new InvalidRequestError(
        `Query parameter "limit" must be an integer from 1 to ${MAX_REVOCATION_PAGE_SIZE}`,
      );
    }
    const afterParam = c.req.query("after");
    const after = afterParam === undefined ? undefined : parseRevocationCursor(afterParam);
    if (afterParam !== undefined && after === undefined) {
      throw new InvalidRequestError(
        'Query parameter "after" must be the "next" value of the previous page',
      );
    }
    let page: RevocationPage;
    try {
      page = await options.feed.page({ since: Number(sinceParam), after, limit });
    } catch (err) {
      throw new RevocationFeedUnavailableError({ cause: err });
    }
    c.header("cache-control", "no-store");
    return c.json({
      revocations: page.revocations.map((r) => ({
        sid: r.sid,
        revoked_at: r.revokedAt,
        expires_at: r.expiresAt,
      })),
      ...(page.next !== undefined ? { next: formatRevocationCursor(page.next) } : {}),
    });
  };
}
