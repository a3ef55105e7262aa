/**
 * Reading the audit log over HTTP, shared by the gateway (`GET /admin/audit`)
 * and the auth service (`GET /admin/sessions/audit`): the query parameters,
 * and the JSON or CSV answer.
 *
 * @module
 */
import { dayOf } from "../ledger/ledger_entry.ts";
import { daysIn } from "../ledger/usage_query.ts";
import { AuditCursorError } from "./audit_cursor.ts";
import {
  type AuditLog,
  type AuditPage,
  type AuditQuery,
  DEFAULT_AUDIT_PAGE_SIZE,
  MAX_AUDIT_PAGE_SIZE,
} from "./audit_log.ts";
import { toCsv } from "./to_csv.ts";
import { wantsCsv } from "./wants_csv.ts";

/** Columns of the audit log export; `details` is JSON text. */
export const AUDIT_CSV_COLUMNS = [
  "at",
  "requestId",
  "actor",
  "sid",
  "action",
  "decision",
  "status",
  "count",
  "details",
] as const;

/** Default day range without `from`: this many days up to `to`. */
const DEFAULT_DAYS = 7;

/** Longest `actor` filter accepted (an Entra object id is 36 characters). */
const MAX_ACTOR_CHARS = 256;

/**
 * Answers one page of the audit log for a request's query string:
 * `from`, `to` (UTC days, inclusive, default the last 7 days up to today),
 * `limit` (1 to 10,000, default 1,000), `after` (the previous page's `next`),
 * `decision` (`allowed` or `denied`), `actor` (a `sub`), and
 * `format=json|csv` (or `Accept: text/csv`). Newest first. JSON is
 * `{from, to, truncated, next?, data}`; CSV carries the cursor in a
 * `ccgate-next-cursor` header instead. `truncated` is true when more
 * records match: ask again with `after=<next>`.
 *
 * @param audit The audit log.
 * @param request The request.
 * @param now The clock (today's date).
 * @param invalid Builds the service's 400 error from a message.
 * @returns The response.
 * @throws What `invalid` builds, for a bad parameter.
 */
export async function auditResponse(
  audit: AuditLog,
  request: Request,
  now: () => Date,
  invalid: (message: string) => Error,
): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const query = parseAuditQuery(params, now(), invalid);
  const csv = wantsCsv(
    params.get("format") ?? undefined,
    request.headers.get("accept") ?? undefined,
    invalid,
  );
  let page: AuditPage;
  try {
    page = await audit.list(query);
  } catch (err) {
    if (err instanceof AuditCursorError) throw invalid(err.message);
    throw err;
  }
  const headers = new Headers({ "cache-control": "no-store" });
  if (page.next !== undefined) headers.set("ccgate-next-cursor", page.next);
  if (csv) {
    headers.set("content-type", "text/csv; charset=utf-8");
    headers.set(
      "content-disposition",
      `attachment; filename="ccgate-audit-${query.from}-${query.to}.csv"`,
    );
    return new Response(toCsv(AUDIT_CSV_COLUMNS, page.records), { headers });
  }
  headers.set("content-type", "application/json");
  const body = {
    from: query.from,
    to: query.to,
    truncated: page.next !== undefined,
    ...(page.next !== undefined ? { next: page.next } : {}),
    data: page.records,
  };
  return new Response(JSON.stringify(body), { headers });
}

/**
 * Reads the audit query parameters (see {@linkcode auditResponse}).
 *
 * @param params The query string.
 * @param today Now, for the default range.
 * @param invalid Builds the service's 400 error from a message.
 * @returns The query.
 */
export function parseAuditQuery(
  params: URLSearchParams,
  today: Date,
  invalid: (message: string) => Error,
): AuditQuery {
  const get = (name: string) => params.get(name) || undefined;
  const to = get("to") ?? dayOf(today);
  const end = Date.parse(`${to}T00:00:00Z`);
  const from = get("from") ??
    (Number.isFinite(end) ? dayOf(new Date(end - (DEFAULT_DAYS - 1) * 86_400_000)) : to);
  if (daysIn(from, to) === undefined) {
    throw invalid(
      `Invalid day range "${from}".."${to}": use from/to as YYYY-MM-DD, from <= to, at most 366 days`,
    );
  }
  const limitText = get("limit") ?? String(DEFAULT_AUDIT_PAGE_SIZE);
  const limit = /^\d{1,6}$/.test(limitText) ? Number(limitText) : 0;
  if (limit < 1 || limit > MAX_AUDIT_PAGE_SIZE) {
    throw invalid(`limit: an integer from 1 to ${MAX_AUDIT_PAGE_SIZE}`);
  }
  const decision = get("decision");
  if (decision !== undefined && decision !== "allowed" && decision !== "denied") {
    throw invalid('decision: "allowed" or "denied"');
  }
  const actor = get("actor");
  if (actor !== undefined && actor.length > MAX_ACTOR_CHARS) {
    throw invalid(`actor: at most ${MAX_ACTOR_CHARS} characters`);
  }
  return { from, to, limit, after: get("after"), decision, actor };
}
