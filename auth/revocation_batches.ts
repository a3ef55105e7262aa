import type { SessionRecord } from "./session_record.ts";

/**
 * Most sessions revoked in one atomic operation (`SessionStore.revokeUser`):
 * one check and three writes each (the session, `["revoked", sid]` and the
 * feed entry), under KV's 100 checks and 1,000 mutations per operation.
 */
export const REVOCATIONS_PER_COMMIT = 100;

/**
 * Most characters of session records (as JSON) one such operation rewrites,
 * well under KV's 800 KiB per operation: a session whose token carried
 * Entra's most groups (200) is about 9 KB, so such sessions go fewer to a
 * commit.
 */
export const REVOCATION_BATCH_CHARS = 384 * 1024;

/**
 * Splits sessions to revoke into the batches of one atomic operation each:
 * at most {@linkcode REVOCATIONS_PER_COMMIT} sessions and
 * {@linkcode REVOCATION_BATCH_CHARS} characters of records (a record larger
 * than that alone goes alone). Pure.
 *
 * @param entries The sessions as read from KV, in order.
 * @returns The batches, in order.
 *
 * @example
 * ```ts
 * import { revocationBatches } from "./revocation_batches.ts";
 * const entry = { key: ["sessions", "s"], value: { sid: "s" }, versionstamp: "0" };
 * const batches = revocationBatches(Array(250).fill(entry));
 * console.assert(batches.map((b) => b.length).join() === "100,100,50");
 * ```
 */
export function revocationBatches<T extends Deno.KvEntry<Pick<SessionRecord, "sid">>>(
  entries: readonly T[],
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let chars = 0;
  for (const entry of entries) {
    const size = JSON.stringify(entry.value).length;
    if (
      batch.length === REVOCATIONS_PER_COMMIT ||
      (batch.length > 0 && chars + size > REVOCATION_BATCH_CHARS)
    ) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(entry);
    chars += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
