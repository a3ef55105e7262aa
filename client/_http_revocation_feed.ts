/**
 * The auth service's revocation feed over HTTP, one page per request:
 * `GET <url>?since=<ms>&limit=<n>[&after=<next>]` →
 * `{"revocations":[{"sid","revoked_at","expires_at"}],"next"}`.
 *
 * @module
 */
import { RevocationFeedError } from "./errors.ts";
import type { Revocation, RevocationFeedReader } from "./revocation_feed_reader.ts";

/** How {@linkcode _httpRevocationFeed} fetches. */
export interface _HttpRevocationFeedOptions {
  /** The `fetch` of each page, looked up at each call when absent. */
  fetch?: typeof fetch;
  /** How long one page may take, ms. */
  timeoutMs: number;
}

/**
 * A {@linkcode RevocationFeedReader} over HTTP. Redirects are not followed;
 * malformed entries are left out.
 *
 * @throws {RevocationFeedError} `network_error` when unreachable, too slow,
 * HTTP 5xx or 429; `response_invalid` for any other answer than a page.
 */
export function _httpRevocationFeed(
  url: URL,
  options: _HttpRevocationFeedOptions,
): RevocationFeedReader {
  const where = `"${url.origin}${url.pathname}"`;
  const failed = (code: RevocationFeedError["code"], what: string, cause?: unknown) =>
    new RevocationFeedError(code, `Cannot read the revocation feed at ${where}: ${what}`, {
      cause,
    });
  return async function readPage({ since, after, limit }) {
    const request = new URL(url);
    request.searchParams.set("since", String(since));
    request.searchParams.set("limit", String(limit));
    if (after !== undefined) request.searchParams.set("after", after);
    const signal = AbortSignal.timeout(options.timeoutMs);
    const noAnswer = `no answer within ${options.timeoutMs} ms`;
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(request, {
        headers: { accept: "application/json" },
        redirect: "manual",
        signal,
      });
    } catch (err) {
      throw failed("network_error", signal.aborted ? noAnswer : "it is unreachable", err);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const transient = response.status >= 500 || response.status === 429;
      throw failed(transient ? "network_error" : "response_invalid", `HTTP ${response.status}`);
    }
    let body: { revocations?: unknown; next?: unknown } | null;
    try {
      body = await response.json();
    } catch (err) {
      throw signal.aborted
        ? failed("network_error", noAnswer, err)
        : failed("response_invalid", "the answer is not JSON");
    }
    if (!Array.isArray(body?.revocations)) {
      throw failed("response_invalid", 'the answer has no "revocations" list');
    }
    const revocations = body.revocations.flatMap(_revocation);
    if (body.next === undefined || body.next === null) return { revocations };
    if (typeof body.next !== "string" || body.next === "") {
      throw failed("response_invalid", '"next" is not a cursor');
    }
    return { revocations, next: body.next };
  };
}

function _revocation(entry: unknown): Revocation[] {
  const r = entry as Record<string, unknown> | null;
  return typeof r?.sid === "string" && Number.isFinite(r.revoked_at) &&
      Number.isFinite(r.expires_at)
    ? [{ sid: r.sid, revokedAt: r.revoked_at as number, expiresAt: r.expires_at as number }]
    : [];
}
