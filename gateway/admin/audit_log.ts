/** One admin action. */
export interface AuditRecord {
  /** When, ISO 8601 UTC. */
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
  /** `allowed`, or `denied` when the caller lacked the admin role. */
  decision: "allowed" | "denied";
}

/** Key prefix of the audit log: `["audit", at, sequence, requestId]`. */
export const AUDIT_PREFIX: Deno.KvKey = ["audit"];

/**
 * The admin audit log in KV, ordered by time: every admin call (allowed or
 * denied) is written before its answer is returned.
 *
 * @example
 * ```ts ignore
 * const audit = new AuditLog(kv);
 * await audit.write(record);
 * const records = await audit.list("2026-11-01", "2026-11-30");
 * ```
 */
export class AuditLog {
  readonly #kv: Pick<Deno.Kv, "set" | "list">;
  #seq = 0;

  /** @param kv The KV store. */
  constructor(kv: Pick<Deno.Kv, "set" | "list">) {
    this.#kv = kv;
  }

  /**
   * Writes one record.
   *
   * @param record The record.
   */
  async write(record: AuditRecord): Promise<void> {
    // The sequence number orders records of the same millisecond written by this instance.
    const seq = String(this.#seq++).padStart(12, "0");
    await this.#kv.set([...AUDIT_PREFIX, record.at, seq, record.requestId], record);
  }

  /**
   * Records of a day range, oldest first.
   *
   * @param from First day, `YYYY-MM-DD`.
   * @param to Last day, `YYYY-MM-DD` (inclusive).
   * @param limit Most records. @default {10000}
   * @returns The records.
   */
  async list(from: string, to: string, limit = 10_000): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    const iter = this.#kv.list<AuditRecord>({
      start: [...AUDIT_PREFIX, `${from}T`],
      end: [...AUDIT_PREFIX, `${to}T\uffff`],
    }, { limit });
    for await (const item of iter) out.push(item.value);
    return out;
  }
}
