import type { Context } from "hono";
import { InvalidRequestError } from "../errors.ts";
import { type EntryCursor, formatEntryCursor, parseEntryCursor } from "../ledger/entry_cursor.ts";
import type { LedgerKv } from "../ledger/roll_up_entry.ts";
import {
  DEFAULT_ENTRY_PAGE,
  listEntries,
  MAX_ENTRY_PAGE,
  type UsageFilter,
} from "../ledger/usage_query.ts";
import { pageLimit } from "./page_limit.ts";
import { toCsv } from "./to_csv.ts";
import { wantsCsv } from "./wants_csv.ts";

/**
 * The answer of `GET /admin/api/entries?from&to&user&group&model&limit&after&format`:
 *
 * - JSON: one page, `{ from, to, truncated, next?, data }`: at most `limit`
 *   entries (default 1,000, at most 10,000), by day then request id, from
 *   right after the cursor `after` (a previous page's `next`, `<day>:<requestId>`);
 *   `truncated` is `true` when more may follow, and `next` is then set.
 * - CSV (`format=csv` or `Accept: text/csv`): every entry of the range from
 *   `after` on, streamed page by page (`limit` per page), so the gateway holds
 *   one page at a time however long the range.
 *
 * An admin outside the admin tenants (`filter.tenant`) is answered from their
 * tenant's index of entries (see `listEntries`), as JSON and as CSV: no other
 * tenant's entry is read, and `next` names one of their tenant's entries.
 *
 * @param c The request.
 * @param kv The ledger's KV.
 * @param filter The validated filter.
 * @param columns The CSV columns.
 * @returns The response.
 * @throws {InvalidRequestError} When `limit`, `after` or `format` is invalid.
 */
export async function entriesResponse(
  c: Context,
  kv: LedgerKv,
  filter: UsageFilter,
  columns: readonly string[],
): Promise<Response> {
  const csv = wantsCsv(
    c.req.query("format"),
    c.req.header("accept"),
    (message) => new InvalidRequestError(message),
  );
  const limit = pageLimit(c.req.query("limit"), DEFAULT_ENTRY_PAGE, MAX_ENTRY_PAGE);
  const afterText = c.req.query("after");
  const after = afterText === undefined || afterText === ""
    ? undefined
    : parseEntryCursor(afterText);
  if (afterText && after === undefined) {
    throw new InvalidRequestError('after: a "next" cursor from a previous page');
  }
  if (csv) {
    return c.body(_csvStream(kv, filter, columns, limit, after), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ccgate-ledger-${filter.from}-${filter.to}.csv"`,
    });
  }
  const page = await listEntries(kv, filter, { limit, after });
  return c.json({
    from: filter.from,
    to: filter.to,
    truncated: page.truncated,
    ...(page.next === undefined ? {} : { next: formatEntryCursor(page.next) }),
    data: page.entries,
  });
}

// The header, then one chunk per page; a KV error mid-way errors the stream, so the client sees
// a cut transfer, never a file that looks complete (the server's `onError` logs it as one JSON
// record: `listenFirst`).
function _csvStream(
  kv: LedgerKv,
  filter: UsageFilter,
  columns: readonly string[],
  limit: number,
  after: EntryCursor | undefined,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = after;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(toCsv(columns, [])));
        return;
      }
      // A pull that neither enqueues nor closes is not called again (the read would wait for
      // ever): read on past pages without a match (nothing at all, a filter skipping a scan).
      for (;;) {
        if (done) return controller.close();
        const page = await listEntries(kv, filter, { limit, after: cursor });
        cursor = page.next;
        done = cursor === undefined;
        if (page.entries.length > 0) {
          const text = toCsv(columns, page.entries);
          controller.enqueue(encoder.encode(text.slice(text.indexOf("\r\n") + 2)));
          return;
        }
      }
    },
  }, { highWaterMark: 0 });
}
