import type { Context } from "hono";
import { InvalidRequestError } from "../errors.ts";
import type { LedgerKv } from "../ledger/roll_up_entry.ts";
import {
  checkUserOrGroup,
  daysIn,
  DEFAULT_USAGE_PAGE,
  MAX_USAGE_PAGE,
  queryUsagePage,
  type UsageFilter,
  usageRowsOfDay,
} from "../ledger/usage_query.ts";
import { pageLimit } from "./page_limit.ts";
import { toCsv } from "./to_csv.ts";
import { wantsCsv } from "./wants_csv.ts";

/**
 * The answer of `GET /admin/api/usage?from&to&user|group&model&limit&after&format=json|csv`:
 * daily rollup rows, never the whole range in memory (a fleet of 5,000 users
 * has some 5,000 × models rows a day; a year of them is over a gigabyte of
 * JSON).
 *
 * - JSON: one page of whole days (`queryUsagePage`): days are added until
 *   the page reaches `limit` rows (default 10,000, at most 100,000), so a
 *   page holds at most `limit` rows plus one day's. `truncated` says whether
 *   more days follow; then `next` is the first of them: ask again with
 *   `after=<next>`.
 * - CSV: the whole range from `after` (or `from`), streamed a day at a time:
 *   the header row, then each day's rows. A KV error mid-way errors the
 *   stream, so the client sees a cut transfer, never a file that looks whole.
 *
 * @param c The request's context.
 * @param kv The ledger's KV.
 * @param filter The validated filter (`filterOf`).
 * @param columns The CSV columns.
 * @returns The response.
 * @throws {InvalidRequestError} For a bad `format`, `limit` or `after`, or `user` with `group`.
 */
export async function usageResponse(
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
  checkUserOrGroup(filter);
  const limit = pageLimit(c.req.query("limit"), DEFAULT_USAGE_PAGE, MAX_USAGE_PAGE);
  const days = daysIn(filter.from, filter.to) ?? [];
  const after = c.req.query("after") || undefined;
  if (after !== undefined && !days.includes(after)) {
    throw new InvalidRequestError(
      'after: a "next" value from a previous page (a day of the range)',
    );
  }
  if (csv) {
    const rest = after === undefined ? days : days.slice(days.indexOf(after));
    return c.body(_csvStream(kv, filter, columns, rest), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ccgate-usage-${filter.from}-${filter.to}.csv"`,
    });
  }
  const page = await queryUsagePage(kv, filter, { limit, after });
  return c.json({
    from: filter.from,
    to: filter.to,
    truncated: page.next !== undefined,
    ...(page.next === undefined ? {} : { next: page.next }),
    data: page.rows,
  });
}

// The header, then one chunk per day with rows (days without any are read on in the same pull).
function _csvStream(
  kv: LedgerKv,
  filter: UsageFilter,
  columns: readonly string[],
  days: readonly string[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(toCsv(columns, [])));
        return;
      }
      while (next < days.length) {
        const rows = await usageRowsOfDay(kv, filter, days[next++]!);
        if (rows.length > 0) {
          const text = toCsv(columns, rows);
          controller.enqueue(encoder.encode(text.slice(text.indexOf("\r\n") + 2)));
          return;
        }
      }
      controller.close();
    },
  }, { highWaterMark: 0 });
}
