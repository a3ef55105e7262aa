import {
  dayOf,
  type LedgerEntry,
  type LedgerOutcome,
  MAX_ENTRY_GROUPS,
  MAX_ENTRY_TEXT,
} from "./ledger/ledger_entry.ts";
import { cacheWrites, type TokenUsage } from "./usage.ts";

/** A recorded request as its ledger entry describes it (see `RequestRecord`). */
export interface LedgerRequest {
  /** The gateway's request id. */
  requestId: string;
  /** When the request arrived. */
  at: Date;
  /** The caller's token claims. */
  claims: { sub: string; sid: string; tid?: string; groups: string[]; roles: string[] };
  /** The route's name. */
  route: string;
  /** What the request learned before it ended (see `RequestRecord.set`). */
  fields: {
    model: string | null;
    bedrockModel: string | null;
    region: string | null;
    stream: boolean;
    estimated?: boolean;
    serviceTier?: string;
  };
  /** Milliseconds from arrival to Bedrock's first byte, `null` without one. */
  firstByteMs: number | null;
}

/** How a recorded request ended (or stands now, for an open record). */
export interface LedgerRequestEnd {
  /** The HTTP status answered (0: still running). */
  status: number;
  /** How it ended. */
  outcome: LedgerOutcome;
  /** The error's type, if any. */
  errorType: string | null;
  /** What it cost, `null` when the model has no price. */
  costUsd: number | null;
  /** Milliseconds from arrival to the end (or now). */
  totalMs: number;
  /** The tokens used. */
  usage: TokenUsage;
}

/**
 * A recorded request's usage ledger entry (with the token's tenant, when it
 * has one, and its 1-hour cache writes, when there are any): the claims' texts cut to
 * {@linkcode MAX_ENTRY_TEXT} characters and their groups and roles to
 * {@linkcode MAX_ENTRY_GROUPS}, times rounded to milliseconds.
 *
 * @param request The request and what it learned.
 * @param end How it ended.
 * @returns The entry.
 *
 * @example
 * ```ts ignore
 * const entry = requestLedgerEntry(
 *   { requestId, at, claims, route: "messages", fields, firstByteMs: 120.4 },
 *   { status: 200, outcome: "completed", errorType: null, costUsd: 0.01, totalMs: 900.2, usage },
 * );
 * ```
 */
export function requestLedgerEntry(request: LedgerRequest, end: LedgerRequestEnd): LedgerEntry {
  const { claims, fields: f, firstByteMs } = request;
  const { usage } = end;
  const { oneHour } = cacheWrites(usage);
  const entry: LedgerEntry = {
    requestId: request.requestId,
    at: request.at.toISOString(),
    day: dayOf(request.at),
    user: _text(claims.sub),
    sid: _text(claims.sid),
    groups: claims.groups.slice(0, MAX_ENTRY_GROUPS).map(_text),
    roles: claims.roles.slice(0, MAX_ENTRY_GROUPS).map(_text),
    route: request.route,
    model: f.model,
    bedrockModel: f.bedrockModel,
    region: f.region,
    stream: f.stream,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadInputTokens,
    cacheWriteTokens: usage.cacheCreationInputTokens,
    ...(oneHour > 0 ? { cacheWrite1hTokens: oneHour } : {}),
    costUsd: end.costUsd,
    firstByteMs: firstByteMs === null ? null : Math.round(firstByteMs),
    totalMs: Math.round(end.totalMs),
    status: end.status,
    outcome: end.outcome,
    errorType: end.errorType,
  };
  if (claims.tid !== undefined) entry.tid = _text(claims.tid);
  if (f.estimated) entry.estimated = true;
  if (f.serviceTier !== undefined) entry.serviceTier = f.serviceTier;
  return entry;
}

/** A token's text as an entry keeps it: at most {@linkcode MAX_ENTRY_TEXT} characters. */
function _text(text: string): string {
  return text.length > MAX_ENTRY_TEXT ? text.slice(0, MAX_ENTRY_TEXT) : text;
}
