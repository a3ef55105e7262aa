import { ENTRY_PREFIX, type LedgerKv, WAL_PREFIX } from "./roll_up_entry.ts";
import type { RollUpPlan } from "./roll_up_plan.ts";

/** Deno KV's limits on one atomic operation. */
const MAX_CHECKS = 100;
const MAX_MUTATIONS = 1_000;
/**
 * Mutations of one entry besides its sums: log delete, entry set, user index
 * set; one more for an entry in the per-tenant index (see `entryIndexKeys`).
 */
export const MUTATIONS_PER_ENTRY = 3;
/** An atomic operation must stay under 800 KiB: keep a chunk well below. */
const MAX_CHUNK_BYTES = 512 * 1024;
/** The keys of an atomic operation (checks and mutations) must stay under 80 KiB: keep below. */
const MAX_KEY_BYTES = 64 * 1024;

/**
 * Splits planned entries into chunks that each fit in one KV atomic operation of
 * {@linkcode rollUpBatch}: two checks and {@linkcode MUTATIONS_PER_ENTRY}
 * mutations per entry (one more with a tenant index key) plus one `sum` per distinct rollup key (usage rows,
 * group × user rows, latency histogram buckets, error types), under Deno
 * KV's limits (100 checks, 1,000 mutations, 80 KiB of keys, 800 KiB in all:
 * keys are kept under 64 KiB, keys and values under 512 KiB). An entry whose request id appears again later in
 * `plans` is dropped: the write-ahead log holds only the last one. Pure.
 *
 * @param plans Entries just written to the write-ahead log, in order, each planned with `planRollUp`.
 * @returns The chunks, in order.
 *
 * @example
 * ```ts
 * import { rollUpChunks } from "./roll_up_batch.ts";
 * import { planRollUp } from "./roll_up_plan.ts";
 * import { ledgerEntry } from "../../testing/ledger_fixtures.ts";
 * const entries = Array.from({ length: 120 }, (_, i) => ledgerEntry({ requestId: `req_${i}` }));
 * console.assert(rollUpChunks(entries.map((e) => planRollUp(e))).map((c) => c.length).join() === "50,50,20");
 * ```
 */
export function rollUpChunks(plans: readonly RollUpPlan[]): RollUpPlan[][] {
  const last = new Map<string, RollUpPlan>();
  for (const plan of plans) {
    last.delete(plan.entry.requestId);
    last.set(plan.entry.requestId, plan);
  }
  const chunks: RollUpPlan[][] = [];
  let chunk: RollUpPlan[] = [];
  let sumKeys = new Set<string>();
  let bytes = 0;
  let keyBytes = 0;
  let ownMutations = 0;
  for (const plan of last.values()) {
    // Log delete and entry set, and one set per index key (the user's; the tenant's, if any).
    const mutations = 2 + plan.indexKeys.length;
    let newKeys = 0;
    let newKeyBytes = 0;
    for (const sum of plan.sums) {
      if (sumKeys.has(sum.id)) continue;
      newKeys++;
      newKeyBytes += sum.bytes;
    }
    const fits = 2 * (chunk.length + 1) <= MAX_CHECKS &&
      ownMutations + mutations + sumKeys.size + newKeys <= MAX_MUTATIONS &&
      keyBytes + plan.ownKeyBytes + newKeyBytes <= MAX_KEY_BYTES &&
      bytes + plan.size + keyBytes + plan.ownKeyBytes + newKeyBytes <= MAX_CHUNK_BYTES;
    if (!fits && chunk.length > 0) {
      chunks.push(chunk);
      chunk = [];
      sumKeys = new Set();
      bytes = 0;
      keyBytes = 0;
      ownMutations = 0;
    }
    chunk.push(plan);
    ownMutations += mutations;
    bytes += plan.size;
    keyBytes += plan.ownKeyBytes;
    for (const sum of plan.sums) {
      if (sumKeys.has(sum.id)) continue;
      sumKeys.add(sum.id);
      keyBytes += sum.bytes;
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Rolls up several entries the writer has put in the write-ahead log, in
 * ONE atomic operation and without reading KV first: every log record must
 * still carry the versionstamp of the write that put it there, and no
 * entry may be in the ledger yet. Then each entry is stored under
 * `["ledger", "entry", day, id]` (with its index keys), its log
 * record deleted, and the rollup
 * sums of all of them (added up per key) applied. If any check fails
 * (another instance's `UsageLedger.recover()` took a record, or a
 * retried entry was rolled up before) nothing is written and the caller
 * rolls the entries up one by one with `rollUpEntry`, which sorts that out.
 *
 * @param kv The KV store.
 * @param plans One chunk of {@linkcode rollUpChunks}.
 * @param walVersionstamps By request id, the versionstamp of the commit that wrote each entry's
 *   log record (entries written together share one).
 * @returns `true` when all were rolled up; `false` when a check failed and nothing was written.
 * @throws The KV error when the commit failed (nothing was written).
 */
export async function rollUpBatch(
  kv: LedgerKv,
  plans: readonly RollUpPlan[],
  walVersionstamps: ReadonlyMap<string, string>,
): Promise<boolean> {
  const op = kv.atomic();
  const sums = new Map<string, [Deno.KvKey, bigint]>();
  for (const { entry, sums: entrySums, indexKeys } of plans) {
    const walKey = [...WAL_PREFIX, entry.requestId];
    const entryKey = [...ENTRY_PREFIX, entry.day, entry.requestId];
    const versionstamp = walVersionstamps.get(entry.requestId);
    if (versionstamp === undefined) return false;
    op.check({ key: walKey, versionstamp }, { key: entryKey, versionstamp: null });
    op.delete(walKey).set(entryKey, entry);
    for (const key of indexKeys) op.set(key, entry.at);
    for (const { id, key, n } of entrySums) {
      const sum = sums.get(id);
      if (sum === undefined) sums.set(id, [key, n]);
      else sum[1] += n;
    }
  }
  for (const [key, n] of sums.values()) op.sum(key, n);
  return (await op.commit()).ok;
}
