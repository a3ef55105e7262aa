/**
 * The admin audit log in KV, shared by the gateway's admin API and the auth
 * service's session admin (in the combined server both write to one KV, so
 * `GET /admin/audit` shows both).
 *
 * KV layout:
 * - `["audit", at, seq, requestId]`: an allowed call, one record per call.
 * - `["audit", at, "~denied", actor, action]`: the denied calls of one actor
 *   with one action (method and path; `action` is its SHA-256, hex) in one
 *   UTC minute, one record (the first such attempt, at `at`) with
 * - `["audit_denied_count", minute, actor, action]`: how many there were (a KV
 *   sum, so concurrent attempts never contend; whoever creates it writes the
 *   record).
 * - `["audit_denied_count", minute, actor, "~actions"]`: how many distinct
 *   actions of the actor that minute have a record. Past
 *   {@linkcode MAX_DENIED_ACTIONS_PER_MINUTE}, further actions share one
 *   record, `action` {@linkcode OTHER_DENIED_ACTIONS} (key part `"~other"`),
 *   whose details name the first of them.
 *
 * Records written before denied calls were kept apart by action have no
 * `action` key part (`["audit", at, "~denied", actor]`, counted at
 * `["audit_denied_count", minute, actor]`) and list as they were.
 *
 * So a caller without the admin role (or an admin refused a route) can add at
 * most 11 records a minute however fast they call, and cannot push admin
 * actions out of a listing, which reads newest first.
 *
 * @module
 */
import { AuditCursorError, formatAuditCursor, parseAuditCursor } from "./audit_cursor.ts";

/** One admin action. */
export interface AuditRecord {
  /** When, ISO 8601 UTC (for denied calls: the minute's first attempt). */
  at: string;
  /** Request id of the admin call. */
  requestId: string;
  /** Who (the admin's `sub`). */
  actor: string;
  /** The admin's session. */
  sid: string;
  /** What: method and route, e.g. `GET /admin/api/usage`. */
  action: string;
  /** Query parameters and (for changes) the fields of the body that were applied. */
  details: Record<string, unknown>;
  /** Status answered. */
  status: number;
  /** `allowed`, or `denied` when refused: no admin role, or a route beyond the admin's tenant. */
  decision: "allowed" | "denied";
  /**
   * Calls this record stands for: 1 for an allowed call; for a denied one,
   * every denied call of `actor` with this `action` in the UTC minute of `at`
   * (the record shows the first's details), or, for
   * {@linkcode OTHER_DENIED_ACTIONS}, every call of the actions past the
   * minute's first {@linkcode MAX_DENIED_ACTIONS_PER_MINUTE}.
   */
  count?: number;
}

/** Key prefix of the audit log (see the module doc for the layout). */
export const AUDIT_PREFIX: Deno.KvKey = ["audit"];

/** Key prefix of the denied-call counters. */
export const AUDIT_DENIED_COUNT_PREFIX: Deno.KvKey = ["audit_denied_count"];

/** Distinct actions of one actor's denied calls kept apart in one minute (see the module doc). */
export const MAX_DENIED_ACTIONS_PER_MINUTE = 10;

/** The `action` of the record that counts an actor's denied calls past {@linkcode MAX_DENIED_ACTIONS_PER_MINUTE}. */
export const OTHER_DENIED_ACTIONS = "(other actions)";

/** Records a page holds unless told otherwise. */
export const DEFAULT_AUDIT_PAGE_SIZE = 1_000;

/** Most records one page holds. */
export const MAX_AUDIT_PAGE_SIZE = 10_000;

/**
 * Most KV entries one page reads: with a filter (`decision`, `actor`) that
 * few records match, a page may end with fewer than `limit` records and a
 * `next` cursor, so no request reads the whole log.
 */
export const AUDIT_SCAN_BUDGET = 20_000;

/**
 * Longest JSON text of `details` stored as is. Longer details keep their
 * values of at most {@linkcode MAX_AUDIT_DETAIL_VALUE_CHARS} (so a record of
 * revoking a user's 500 sessions still names the user), each longer value
 * replaced by `{"omitted": "<n> characters[, <k> items]"}`; when no value is
 * that short, the whole is replaced by `{"omitted": "<n> characters of details"}`.
 */
export const MAX_AUDIT_DETAILS_CHARS = 8_192;

/** Longest JSON text of one value of `details` kept when the whole is too long to store. */
export const MAX_AUDIT_DETAIL_VALUE_CHARS = 1_024;

/** Longest `action` stored (the rest of a longer path is cut). */
export const MAX_AUDIT_ACTION_CHARS = 1_024;

/** What {@linkcode AuditLog.list} reads. */
export interface AuditQuery {
  /** First day, `YYYY-MM-DD` (UTC). */
  from: string;
  /** Last day, `YYYY-MM-DD` (UTC, inclusive). */
  to: string;
  /** Most records. @default {DEFAULT_AUDIT_PAGE_SIZE} */
  limit?: number;
  /** The previous page's `next`: the page starts right after (older than) it. */
  after?: string;
  /** Only allowed, or only denied, records. */
  decision?: "allowed" | "denied";
  /** Only records of this actor (`sub`). */
  actor?: string;
}

/** One page of the audit log, newest first. */
export interface AuditPage {
  /** The records. */
  records: AuditRecord[];
  /** Opaque cursor of the next (older) page; absent when no more records match. */
  next?: string;
}

type AuditKv = Pick<Deno.Kv, "set" | "list" | "atomic" | "getMany">;

/** One admin call as the middleware that audits it sees it. */
export interface AdminCall {
  /** When it was answered. */
  at: Date;
  /** Its request id. */
  requestId: string;
  /** Who made it. */
  claims: { sub: string; sid: string };
  /** Its method, path and query parameters. */
  req: { method: string; path: string; queries(): Record<string, string[]> };
  /** Whether it was allowed (else it is recorded as denied, 403). */
  allowed: boolean;
  /** The status answered, when allowed. */
  status: number;
  /** What the handler applied (`auditDetails`), when allowed. */
  details?: Record<string, unknown>;
}

/**
 * The audit record of one admin call: the gateway's admin API and the auth
 * service's session admin write the same shape. Pure.
 *
 * @param call The call.
 * @returns The record to write.
 *
 * @example
 * ```ts
 * import { auditRecordOf } from "./audit_log.ts";
 * const record = auditRecordOf({
 *   at: new Date("2026-11-30T10:00:00Z"), requestId: "req_1", claims: { sub: "u", sid: "s" },
 *   req: { method: "GET", path: "/admin/api/me", queries: () => ({}) },
 *   allowed: false, status: 200,
 * });
 * console.assert(record.decision === "denied" && record.status === 403);
 * ```
 */
export function auditRecordOf(call: AdminCall): AuditRecord {
  return {
    at: call.at.toISOString(),
    requestId: call.requestId,
    actor: call.claims.sub,
    sid: call.claims.sid,
    action: `${call.req.method} ${call.req.path}`,
    details: { ...call.req.queries(), ...(call.allowed ? call.details : undefined) },
    status: call.allowed ? call.status : 403,
    decision: call.allowed ? "allowed" : "denied",
  };
}

/**
 * The admin audit log in KV. Every allowed admin call is written, one record
 * each, before its answer is returned; denied calls are counted per actor and
 * UTC minute (see the module doc). Listed newest first, a page at a time.
 *
 * @example
 * ```ts ignore
 * const audit = new AuditLog(kv);
 * await audit.write(record);
 * const { records, next } = await audit.list({ from: "2026-11-01", to: "2026-11-30", limit: 100 });
 * ```
 */
export class AuditLog {
  readonly #kv: AuditKv;
  readonly #scanBudget: number;
  #seq = 0;

  /**
   * @param kv The KV store.
   * @param options `scanBudget`: most KV entries one page reads. @default {AUDIT_SCAN_BUDGET}
   */
  constructor(kv: AuditKv, options: { scanBudget?: number } = {}) {
    this.#kv = kv;
    this.#scanBudget = options.scanBudget ?? AUDIT_SCAN_BUDGET;
  }

  /**
   * Writes one record: an allowed call as its own record; a denied call as
   * the first record of its actor's action in that minute, or as one more in
   * that record's count.
   *
   * @param record The record (its `count` is ignored).
   */
  async write(record: AuditRecord): Promise<void> {
    if (record.decision === "allowed") {
      const { key, value } = this.entryOf(record);
      await this.#kv.set(key, value);
      return;
    }
    await this.#writeDenied(this.#stored(record));
  }

  /**
   * The KV write of an allowed call's record, for a caller that commits it
   * in the same atomic operation as the change it records (so that neither
   * happens without the other, e.g. a budget override).
   *
   * @param record The record of an allowed call.
   * @returns Its key and value.
   *
   * @example
   * ```ts ignore
   * const { key, value } = audit.entryOf(record);
   * await kv.atomic().set(changeKey, change).set(key, value).commit();
   * ```
   */
  entryOf(record: AuditRecord): { key: Deno.KvKey; value: AuditRecord } {
    if (record.decision !== "allowed") throw new TypeError("Cannot batch a denied audit record");
    // The sequence number orders records of the same millisecond written by this instance.
    const seq = String(this.#seq++).padStart(12, "0");
    return {
      key: [...AUDIT_PREFIX, record.at, seq, record.requestId],
      value: this.#stored(record),
    };
  }

  #stored(record: AuditRecord): AuditRecord {
    const { count: _, ...rest } = record;
    return {
      ...rest,
      action: record.action.slice(0, MAX_AUDIT_ACTION_CHARS),
      details: _boundedDetails(record.details),
    };
  }

  async #writeDenied(stored: AuditRecord): Promise<void> {
    const minute = _minuteOf(stored.at);
    const actor = stored.actor.slice(0, 256);
    const actionsKey = [...AUDIT_DENIED_COUNT_PREFIX, minute, actor, ACTIONS];
    const action = await _actionKey(stored.action);
    const countKey = [...AUDIT_DENIED_COUNT_PREFIX, minute, actor, action];
    // Each lost race is another writer taking one of the minute's slots or creating this
    // action's record: at most MAX_DENIED_ACTIONS_PER_MINUTE + 1 rounds.
    for (let round = 0; round <= MAX_DENIED_ACTIONS_PER_MINUTE + 1; round++) {
      const [actions, count] = await this.#kv.getMany<[Deno.KvU64, Deno.KvU64]>([
        actionsKey,
        countKey,
      ]);
      if (count.versionstamp !== null) break;
      const taken = Number(actions.value?.value ?? 0n);
      if (taken >= MAX_DENIED_ACTIONS_PER_MINUTE) {
        const otherKey = [...AUDIT_DENIED_COUNT_PREFIX, minute, actor, OTHER];
        const other: AuditRecord = {
          ...stored,
          action: OTHER_DENIED_ACTIONS,
          details: { ...stored.details, first_action: stored.action },
        };
        // The first call past the limit creates the counter and the record; the others count.
        const first = await this.#kv.atomic()
          .check({ key: otherKey, versionstamp: null })
          .set([...AUDIT_PREFIX, stored.at, DENIED, actor, OTHER], other)
          .sum(otherKey, 1n)
          .commit();
        if (!first.ok) await this.#kv.atomic().sum(otherKey, 1n).commit();
        return;
      }
      const created = await this.#kv.atomic()
        .check(actions)
        .check({ key: countKey, versionstamp: null })
        .set([...AUDIT_PREFIX, stored.at, DENIED, actor, action], stored)
        .set(actionsKey, new Deno.KvU64(BigInt(taken + 1)))
        .sum(countKey, 1n)
        .commit();
      if (created.ok) return;
    }
    // The action has its record this minute: count the call.
    await this.#kv.atomic().sum(countKey, 1n).commit();
  }

  /**
   * One page of the records of a day range, newest first.
   *
   * @param query Day range, page size, cursor and filters.
   * @returns The page, with `next` while more matching records may follow.
   * @throws {AuditCursorError} When `after` is not a cursor of this day range.
   */
  async list(query: AuditQuery): Promise<AuditPage> {
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE_SIZE;
    const start: Deno.KvKey = [...AUDIT_PREFIX, `${query.from}T`];
    const rangeEnd: Deno.KvKey = [...AUDIT_PREFIX, `${query.to}T\uffff`];
    let end = rangeEnd;
    if (query.after !== undefined) {
      const cursor = parseAuditCursor(query.after);
      const at = cursor?.[0];
      if (at === undefined || at < `${query.from}T` || at > `${query.to}T\uffff`) {
        throw new AuditCursorError();
      }
      end = [...AUDIT_PREFIX, ...cursor!];
    }
    const records: { key: Deno.KvKey; value: AuditRecord }[] = [];
    let last: Deno.KvKey | undefined;
    let scanned = 0;
    let more = false;
    const iter = this.#kv.list<AuditRecord>({ start, end }, {
      reverse: true,
      limit: this.#scanBudget + 1,
    });
    for await (const entry of iter) {
      if (records.length === limit || scanned === this.#scanBudget) {
        more = true;
        break;
      }
      scanned++;
      last = entry.key;
      const r = entry.value;
      if (query.decision !== undefined && r.decision !== query.decision) continue;
      if (query.actor !== undefined && r.actor !== query.actor) continue;
      records.push(entry);
    }
    await this.#addCounts(records);
    const page: AuditPage = { records: records.map((r) => r.value) };
    if (more && last !== undefined) page.next = formatAuditCursor(last.slice(1) as string[]);
    return page;
  }

  async #addCounts(records: { key: Deno.KvKey; value: AuditRecord }[]): Promise<void> {
    const denied = records.filter((r) => r.key[2] === DENIED);
    for (const r of records) if (r.key[2] !== DENIED) r.value = { ...r.value, count: 1 };
    // getMany reads at most 10 keys at a time; the batches are read together.
    const batches = Array.from(
      { length: Math.ceil(denied.length / 10) },
      (_, i) => denied.slice(i * 10, i * 10 + 10),
    );
    await Promise.all(batches.map(async (batch) => {
      // After the actor, the action's key part (none in records of before it was kept).
      const counts = await this.#kv.getMany<Deno.KvU64[]>(
        batch.map((r) => [
          ...AUDIT_DENIED_COUNT_PREFIX,
          _minuteOf(r.key[1] as string),
          ...r.key.slice(3),
        ]),
      );
      batch.forEach((r, j) => {
        r.value = { ...r.value, count: Number(counts[j]?.value?.value ?? 1n) };
      });
    }));
  }
}

const DENIED = "~denied";
/** Key part of the distinct-actions counter of an actor's minute (action key parts are hex). */
const ACTIONS = "~actions";
/** Key part of the record and counter of the actions past the minute's limit. */
const OTHER = "~other";

function _minuteOf(at: string): string {
  const ms = Date.parse(at);
  return new Date(ms - (((ms % 60_000) + 60_000) % 60_000)).toISOString();
}

/** A KV key part for an action (method and path, up to 1,024 characters): its SHA-256, hex. */
async function _actionKey(action: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(action));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Details too long to store keep their short values (the query's `sub`, `user`, ...), so the
// record still says whom the call was about; each long one is replaced by its size (and item
// count). With no short value left, or still too long, only the whole size is kept.
function _boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  const size = JSON.stringify(details ?? {}).length;
  if (size <= MAX_AUDIT_DETAILS_CHARS) return details;
  const whole = { omitted: `${size} characters of details` };
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(details)) {
    const chars = JSON.stringify(value ?? null).length;
    if (chars <= MAX_AUDIT_DETAIL_VALUE_CHARS) {
      out[key] = value;
      kept++;
    } else {
      const items = Array.isArray(value) ? `, ${value.length} items` : "";
      out[key] = { omitted: `${chars} characters${items}` };
    }
  }
  if (kept === 0 || JSON.stringify(out).length > MAX_AUDIT_DETAILS_CHARS) return whole;
  return out;
}
